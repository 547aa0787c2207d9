//! What `serve` and `sync` share: logging to stderr, a tokio runtime, and the
//! forge clients and webhook secrets built from the configuration and the
//! environment variables it names.

use crate::config::{Config, GithubAuth};
use crate::engine::Forges;
use crate::forge::Forge;
use crate::forge::github::GitHubClient;
use crate::forge::gitlab::GitLabClient;
use crate::forge::gitlab::client::GitLabSettings;
use crate::forge::retry::RetryPolicy;
use crate::server::WebhookSecrets;
use anyhow::{Context, Result, bail};
use std::sync::Arc;
use tracing_subscriber::EnvFilter;

/// Logs to stderr, filtered by `RUST_LOG` (else `default_level`). A second
/// call (tests running several commands in one process) is a no-op.
pub fn init_logging(default_level: &str) {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default_level));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

pub fn tokio_runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

/// The value of a secret-holding environment variable, required and non-empty.
fn secret(variable: &str, what: &str, key: &str) -> Result<String> {
    match std::env::var(variable) {
        Ok(value) if !value.trim().is_empty() => Ok(value),
        _ => bail!("{what} is not set: export {variable} (named by {key})"),
    }
}

/// A client for each configured forge. Nothing is contacted here: a forge
/// that is down does not stop the caller (SPEC §9).
pub fn forges_from_config(config: &Config) -> Result<Forges> {
    let gitlab = match &config.gitlab {
        Some(gitlab) => {
            let token = secret(&gitlab.token_env, "the GitLab token", "gitlab.token_env")?;
            let client = GitLabClient::new(GitLabSettings {
                url: gitlab.url.clone(),
                token,
                retry: RetryPolicy::default(),
            })
            .context("cannot set up the GitLab client")?;
            Some(Arc::new(client) as Arc<dyn Forge>)
        }
        None => None,
    };
    let github = match &config.github {
        Some(github) => {
            let client = match &github.auth {
                GithubAuth::Token { token_env } => {
                    let token = secret(token_env, "the GitHub token", "github.token_env")?;
                    GitHubClient::with_token(&github.api_url, &token)
                }
                GithubAuth::App {
                    app_id,
                    private_key_file,
                } => {
                    let key = std::fs::read(private_key_file).with_context(|| {
                        format!(
                            "cannot read the GitHub App key {} (github.private_key_file)",
                            private_key_file.display()
                        )
                    })?;
                    GitHubClient::as_app(&github.api_url, *app_id, &key)
                }
            }
            .context("cannot set up the GitHub client")?;
            Some(Arc::new(client) as Arc<dyn Forge>)
        }
        None => None,
    };
    Ok(Forges { gitlab, github })
}

/// The webhook secret of each configured forge; the server refuses to start
/// without one rather than accept unauthenticated webhooks or none at all.
pub fn webhook_secrets(config: &Config) -> Result<WebhookSecrets> {
    Ok(WebhookSecrets {
        gitlab: match &config.gitlab {
            Some(gitlab) => Some(secret(
                &gitlab.webhook_secret_env,
                "the GitLab webhook secret",
                "gitlab.webhook_secret_env",
            )?),
            None => None,
        },
        github: match &config.github {
            Some(github) => Some(secret(
                &github.webhook_secret_env,
                "the GitHub webhook secret",
                "github.webhook_secret_env",
            )?),
            None => None,
        },
    })
}
