//! The forge clients a run uses, one per forge the configuration names.
//! Builds them from the configuration, reading secrets from
//! the environment variables (and key file) it points at. Nothing here
//! contacts a forge: `serve` must start while a forge is down (docs/deployment.md).
//! A command about one project builds only that project's forge, so a CI
//! job of one forge never needs the other forge's secrets.

use crate::config::{Config, ForgeKind, GithubAuth};
use crate::forge::Forge;
use crate::forge::github::GitHubClient;
use crate::forge::gitlab::{GitLabClient, GitLabSettings};
use crate::forge::retry::RetryPolicy;
use crate::forge::write_fence::WriteFence;
use anyhow::{Context, anyhow};
use std::sync::Arc;

/// The forge clients the configuration names (each optional).
#[derive(Clone, Default)]
pub struct Forges {
    pub gitlab: Option<Arc<dyn Forge>>,
    pub github: Option<Arc<dyn Forge>>,
}

impl Forges {
    pub fn get(&self, kind: ForgeKind) -> Option<&Arc<dyn Forge>> {
        match kind {
            ForgeKind::GitLab => self.gitlab.as_ref(),
            ForgeKind::GitHub => self.github.as_ref(),
        }
    }

    /// The clients for one job, whose writes stop at `fence` (its lease).
    pub fn fenced(&self, fence: &WriteFence) -> Forges {
        let fenced = |forge: &Arc<dyn Forge>| forge.fenced(fence.clone());
        Forges {
            gitlab: self.gitlab.as_ref().map(fenced),
            github: self.github.as_ref().map(fenced),
        }
    }
}

impl Forges {
    /// The clients for `config`, secrets from the process environment.
    /// Call it inside a tokio runtime: the GitHub client spawns a task as
    /// it is built.
    pub fn from_config(config: &Config) -> anyhow::Result<Forges> {
        Forges::from_config_with(config, |name| std::env::var(name).ok())
    }

    /// The client of `forge` alone, for a command about one of its
    /// projects (`check`, `announce`, `sync --project`).
    pub fn for_forge(config: &Config, forge: ForgeKind) -> anyhow::Result<Forges> {
        Forges::build(config, Some(forge), |name| std::env::var(name).ok())
    }

    /// The clients for `config`, looking secrets up with `env`.
    pub fn from_config_with(
        config: &Config,
        env: impl Fn(&str) -> Option<String>,
    ) -> anyhow::Result<Forges> {
        Forges::build(config, None, env)
    }

    /// The clients of every configured forge, or of `only` that one.
    fn build(
        config: &Config,
        only: Option<ForgeKind>,
        env: impl Fn(&str) -> Option<String>,
    ) -> anyhow::Result<Forges> {
        let wanted = |kind: ForgeKind| only.is_none_or(|only| only == kind);
        let secret = |name: &str, key: &str| -> anyhow::Result<String> {
            env(name).filter(|v| !v.trim().is_empty()).ok_or_else(|| {
                anyhow!("the environment variable {name} (named by `{key}`) is not set")
            })
        };
        let mut forges = Forges::default();
        if let Some(gitlab) = config.gitlab.as_ref().filter(|_| wanted(ForgeKind::GitLab)) {
            let token = secret(&gitlab.token_env, "gitlab.token_env")?;
            let client = GitLabClient::new(GitLabSettings {
                url: gitlab.url.clone(),
                token,
                retry: RetryPolicy::default(),
            })
            .with_context(|| format!("cannot use the GitLab URL {}", gitlab.url))?;
            forges.gitlab = Some(Arc::new(client));
        }
        if let Some(github) = config.github.as_ref().filter(|_| wanted(ForgeKind::GitHub)) {
            let client = match &github.auth {
                GithubAuth::Token { token_env } => {
                    let token = secret(token_env, "github.token_env")?;
                    GitHubClient::with_token(&github.api_url, &token)
                }
                GithubAuth::App {
                    app_id,
                    private_key_file,
                } => {
                    let pem = std::fs::read(private_key_file).with_context(|| {
                        format!(
                            "cannot read the GitHub App private key {}",
                            private_key_file.display()
                        )
                    })?;
                    GitHubClient::as_app(&github.api_url, *app_id, &pem)
                }
            }
            .with_context(|| format!("cannot set up the GitHub client for {}", github.api_url))?;
            forges.github = Some(Arc::new(client));
        }
        Ok(forges)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{GithubConfig, GitlabConfig};

    fn config() -> Config {
        Config {
            gitlab: Some(GitlabConfig {
                // Nothing listens here: building must not connect.
                url: "http://127.0.0.1:9".into(),
                token_env: "SG_TEST_GITLAB_TOKEN".into(),
                webhook_secret_env: "SG_TEST_GITLAB_SECRET".into(),
            }),
            github: Some(GithubConfig {
                api_url: "http://127.0.0.1:9".into(),
                auth: GithubAuth::Token {
                    token_env: "SG_TEST_GITHUB_TOKEN".into(),
                },
                webhook_secret_env: "SG_TEST_GITHUB_SECRET".into(),
            }),
            ..Config::default()
        }
    }

    #[tokio::test]
    async fn both_clients_are_built_without_contacting_a_forge() {
        let forges = Forges::from_config_with(&config(), |_| Some("secret".into())).unwrap();
        assert!(forges.gitlab.is_some());
        assert!(forges.github.is_some());
    }

    #[tokio::test]
    async fn a_missing_token_variable_is_named_in_the_error() {
        let error = Forges::from_config_with(&config(), |name| {
            (name != "SG_TEST_GITHUB_TOKEN").then(|| "secret".into())
        })
        .err()
        .expect("an error");
        let text = format!("{error:#}");
        assert!(text.contains("SG_TEST_GITHUB_TOKEN"), "{text}");
        assert!(text.contains("github.token_env"), "{text}");
    }

    #[tokio::test]
    async fn one_forge_is_built_without_the_other_forges_secrets() {
        let only_gitlab = |name: &str| (name == "SG_TEST_GITLAB_TOKEN").then(|| "secret".into());
        let forges = Forges::build(&config(), Some(ForgeKind::GitLab), only_gitlab).unwrap();
        assert!(forges.gitlab.is_some() && forges.github.is_none());
        let only_github = |name: &str| (name == "SG_TEST_GITHUB_TOKEN").then(|| "secret".into());
        let forges = Forges::build(&config(), Some(ForgeKind::GitHub), only_github).unwrap();
        assert!(forges.github.is_some() && forges.gitlab.is_none());
        // Every forge still needs its secret when all are built.
        assert!(Forges::build(&config(), None, only_github).is_err());
    }

    #[test]
    fn no_forge_configured_gives_no_clients() {
        let forges = Forges::from_config_with(&Config::default(), |_| None).unwrap();
        assert!(forges.gitlab.is_none() && forges.github.is_none());
    }
}
