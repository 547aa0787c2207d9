//! `schemagate check`: the CI gate. Finds the MR from GitLab CI's or GitHub
//! Actions' environment (or `--project`/`--mr`), decides it with no store,
//! prints the verdict with the reasons and what to do, and exits 0 (pass),
//! 1 (blocked) or 2 (error). Writes only with `--apply`, never the status.

use super::ci_env::{self, CiTarget};
use super::runtime::{init_logging, tokio_runtime};
use crate::cli::{Format, Settings};
use crate::config::{Config, ForgeKind, GithubAuth, GitlabConfig, ProjectConfig};
use crate::core::policy::GateState;
use crate::engine::{Engine, Forges};
use crate::forge::ItemState;
use crate::store::Store;
use crate::tasks::{CheckOptions, CheckReport};
use anyhow::{Context, Result, anyhow, bail};
use clap::Args;
use serde_json::json;
use std::process::ExitCode;
use std::sync::Arc;

/// Where `check` looks for a GitLab token first.
pub const GITLAB_TOKEN_VARIABLE: &str = "SCHEMAGATE_GITLAB_TOKEN";
/// GitHub Actions' own token.
const GITHUB_TOKEN_VARIABLE: &str = "GITHUB_TOKEN";

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The project (`group/project` or `owner/repo`); read from the CI
    /// environment when left out.
    #[arg(long)]
    pub project: Option<String>,

    /// The MR or pull request number; read from the CI environment when left out.
    #[arg(long, value_name = "N")]
    pub mr: Option<u64>,

    /// Make the server's writes (label, milestone, comment, milestone
    /// block); without it nothing is written. `SCHEMAGATE_APPLY=true` does
    /// the same (the CI component's and the Action's `apply` input).
    #[arg(
        long,
        env = "SCHEMAGATE_APPLY",
        value_parser = clap::builder::FalseyValueParser::new(),
        num_args = 0,
        default_missing_value = "true"
    )]
    pub apply: bool,

    /// The account whose label and milestone edits are the bot's, when it
    /// is not this token's own (a server's bot beside a read-only CI token).
    #[arg(long, env = "SCHEMAGATE_BOT_ACCOUNT", value_name = "NAME")]
    pub bot_account: Option<String>,
}

/// The MR to check and how to reach it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(super) struct Target {
    pub forge: Option<ForgeKind>,
    pub project: Option<String>,
    pub number: u64,
    pub url: Option<String>,
    pub read_only: Option<String>,
}

impl Target {
    /// The forge a CI job runs on, and its URL, from the job's environment
    /// (a scheduled pipeline has no MR): `None` outside CI.
    pub fn ci_forge(env: &dyn Fn(&str) -> Option<String>) -> Target {
        let set = |name: &str| env(name).filter(|v| !v.trim().is_empty());
        if set("GITLAB_CI").is_some() {
            return Target {
                forge: Some(ForgeKind::GitLab),
                url: ci_env::gitlab_url(&set),
                ..Target::default()
            };
        }
        if set("GITHUB_ACTIONS").is_some() {
            return Target {
                forge: Some(ForgeKind::GitHub),
                url: set("GITHUB_API_URL"),
                ..Target::default()
            };
        }
        Target::default()
    }
}

pub fn run(args: CheckArgs, settings: &Settings) -> Result<ExitCode> {
    let env = |name: &str| std::env::var(name).ok();
    let read = |path: &std::path::Path| std::fs::read_to_string(path);
    let detected = ci_env::detect(&env, &read).map_err(|e| anyhow!(e))?;
    let target = target(&args, detected)?;
    let config = settings.config_amended(|text| amend_for_ci(text, &target))?;
    let (config, project) = effective_config(&config, &target, &env)?;
    init_logging("warn");
    let runtime = tokio_runtime()?;
    let forges = {
        let _in_runtime = runtime.enter();
        Forges::for_forge(&config, project.forge)?
    };
    let options = CheckOptions {
        apply: args.apply && target.read_only.is_none(),
        bot_account: args.bot_account.clone(),
    };
    let config = Arc::new(config);
    let report = runtime.block_on(async {
        // Nothing is kept between runs: the forge is the record.
        let store = Store::in_memory().await?;
        let engine = Engine::new(config.clone(), store, forges);
        let number = crate::forge::ItemNumber(target.number);
        crate::tasks::check::check(&engine, &project, number, &options)
            .await
            .with_context(|| format!("cannot check {} in {}", target.number, project.path))
    })?;
    let notes: Vec<&str> = target
        .read_only
        .iter()
        .map(String::as_str)
        .filter(|_| args.apply)
        .collect();
    match settings.format {
        Format::Json => println!("{}", to_json(&project, &report, args.apply, &notes)),
        _ => print!("{}", to_text(&report, args.apply, &notes)),
    }
    Ok(exit_code(&report))
}

fn target(args: &CheckArgs, detected: Option<CiTarget>) -> Result<Target> {
    match (detected, args.mr) {
        (_, Some(number)) => Ok(Target {
            forge: None,
            project: args.project.clone(),
            number,
            url: None,
            read_only: None,
        }),
        (Some(ci), None) => Ok(Target {
            forge: Some(ci.forge),
            project: Some(args.project.clone().unwrap_or(ci.project)),
            number: ci.number,
            url: ci.url,
            read_only: ci.read_only,
        }),
        (None, None) => bail!(
            "not in GitLab CI or GitHub Actions: name the merge request with --mr N \
             (and --project P when several projects are configured)"
        ),
    }
}

/// The text with the forge section the CI environment implies appended,
/// when the file has none: in CI the instance's URL is known.
pub(super) fn amend_for_ci(text: &str, target: &Target) -> String {
    let (Some(forge), Some(url)) = (target.forge, target.url.as_deref()) else {
        return text.to_string();
    };
    // Unreadable text is left for the loader to report with its position.
    let has_section = text
        .parse::<toml::Table>()
        .map_or(true, |table| table.contains_key(forge.name()));
    if has_section {
        return text.to_string();
    }
    let section = match forge {
        ForgeKind::GitLab => format!(
            "[gitlab]\nurl = {}\ntoken_env = \"{GITLAB_TOKEN_VARIABLE}\"\n",
            toml_string(url)
        ),
        ForgeKind::GitHub => format!("[github]\napi_url = {}\n", toml_string(url)),
    };
    format!("{text}\n\n# From the CI environment (schemagate check):\n{section}")
}

/// The project to check and the configuration with the token variable this
/// environment provides.
pub(super) fn effective_config(
    config: &Config,
    target: &Target,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<(Config, ProjectConfig)> {
    let mut config = config.clone();
    let project = match (&target.project, target.forge) {
        (Some(path), Some(forge)) => config.project_on(forge, path).cloned(),
        (Some(path), None) => config.project(path).cloned(),
        (None, _) if config.projects.len() == 1 => config.projects.first().cloned(),
        (None, _) if config.projects.is_empty() => None,
        (None, _) => bail!("name the project with --project; the configuration has several"),
    };
    let Some(project) = project else {
        bail!(
            "project `{}` is not configured: commit a schemagate.toml with a [[project]] for it \
             (forge, path and `releases = {{ scheme = \"calver\" }}` or the scheme its \
             milestones follow); see docs/ci.md",
            target.project.as_deref().unwrap_or("?")
        );
    };
    let set = |name: &str| env(name).filter(|v| !v.trim().is_empty());
    match project.forge {
        ForgeKind::GitLab => {
            let gitlab = config.gitlab.as_mut().ok_or_else(|| {
                anyhow!("no GitLab URL: set `[gitlab] url` or run check in GitLab CI")
            })?;
            gitlab.token_env = gitlab_token_variable(gitlab, &set)?;
        }
        ForgeKind::GitHub => {
            let github = config.github.as_mut().ok_or_else(|| {
                anyhow!("no [github] section: add one, or run check in GitHub Actions")
            })?;
            if let GithubAuth::Token { token_env } = &mut github.auth
                && set(token_env).is_none()
            {
                if set(GITHUB_TOKEN_VARIABLE).is_none() {
                    bail!(
                        "no GitHub token: give the step `env: GITHUB_TOKEN: ${{{{ github.token }}}}`, \
                         or set {token_env} (named by `github.token_env`)"
                    );
                }
                *token_env = GITHUB_TOKEN_VARIABLE.to_string();
            }
        }
    }
    Ok((config, project))
}

/// `SCHEMAGATE_GITLAB_TOKEN`, else the configured `token_env`; never the job token.
fn gitlab_token_variable(
    gitlab: &GitlabConfig,
    set: &dyn Fn(&str) -> Option<String>,
) -> Result<String> {
    let chosen = [GITLAB_TOKEN_VARIABLE, gitlab.token_env.as_str()]
        .into_iter()
        .find(|name| set(name).is_some());
    let job_token = set("CI_JOB_TOKEN");
    let refuse = |how: &str| {
        anyhow!(
            "{how}: GitLab's CI_JOB_TOKEN cannot read a merge request's label and milestone \
             history nor write labels, milestones or comments. Create a project access token \
             (scope read_api to check, api for --apply; role Reporter) \
             and store it in the masked CI/CD variable {GITLAB_TOKEN_VARIABLE}"
        )
    };
    match chosen {
        Some(name) if job_token.is_some() && set(name) == job_token => {
            Err(refuse(&format!("{name} holds the CI job token")))
        }
        Some(name) => Ok(name.to_string()),
        None if job_token.is_some() => Err(refuse("no GitLab token is set")),
        None => Err(anyhow!(
            "no GitLab token: set {GITLAB_TOKEN_VARIABLE} or {} (named by `gitlab.token_env`)",
            gitlab.token_env
        )),
    }
}

fn toml_string(text: &str) -> String {
    serde_json::to_string(text).expect("a string serialises")
}

fn exit_code(report: &CheckReport) -> ExitCode {
    match &report.verdict {
        Some(v) if v.state == GateState::Failure => ExitCode::from(1),
        _ => ExitCode::SUCCESS,
    }
}

fn state_word(state: ItemState) -> &'static str {
    match state {
        ItemState::Open => "open",
        ItemState::Closed => "closed",
        ItemState::Merged => "merged",
    }
}

fn to_text(report: &CheckReport, apply: bool, notes: &[&str]) -> String {
    let mut text = String::new();
    let reference = &report.reference;
    match &report.verdict {
        None => text.push_str(&format!(
            "{reference} is {}: nothing to gate\n",
            state_word(report.state)
        )),
        Some(v) if v.passed() => text.push_str(&format!("{reference} passes: {}\n", v.summary)),
        Some(v) => {
            text.push_str(&format!("{reference} is blocked: {}\n", v.summary));
            for (i, reason) in v.reasons.iter().enumerate() {
                text.push_str(&format!("  - {reason}\n"));
                if let Some(advice) = v.advice.get(i) {
                    text.push_str(&format!("    what to do: {advice}\n"));
                }
            }
        }
    }
    for m in &report.migrations {
        text.push_str(&format!(
            "migration: {} ({}, {})\n",
            m.path, m.framework, m.kind
        ));
    }
    if let Some(batch) = report.batch.as_ref().filter(|_| report.is_db_change) {
        text.push_str(&format!("batch: {batch}\n"));
    }
    if apply {
        if report.writes > 0 {
            text.push_str(&format!("made {} write(s)\n", report.writes));
        }
    } else {
        for line in &report.planned {
            text.push_str(&format!("{line} (with --apply)\n"));
        }
    }
    let refused = report.write_refused.as_ref().map(ToString::to_string);
    for note in notes.iter().copied().chain(refused.as_deref()) {
        text.push_str(&format!("note: {note}\n"));
    }
    text.push_str(&format!("{}\n", report.web_url));
    text
}

fn to_json(
    project: &ProjectConfig,
    report: &CheckReport,
    apply: bool,
    notes: &[&str],
) -> serde_json::Value {
    let refused = report.write_refused.as_ref().map(ToString::to_string);
    let verdict = report.verdict.as_ref();
    json!({
        "project": project.path,
        "forge": project.forge.name(),
        "mr": report.reference,
        "url": report.web_url,
        "state": state_word(report.state),
        "verdict": verdict.map(|v| match v.state {
            GateState::Success => "success",
            GateState::Failure => "failure",
        }),
        "summary": verdict.map(|v| v.summary.clone()),
        "reasons": verdict.map(|v| v.reasons.clone()).unwrap_or_default(),
        "advice": verdict.map(|v| v.advice.clone()).unwrap_or_default(),
        "db_change": report.is_db_change,
        "migrations": report.migrations,
        "batch": report.batch,
        "apply": apply,
        "planned": if apply { Vec::new() } else { report.planned.clone() },
        "writes": report.writes,
        "notes": notes.iter().copied().chain(refused.as_deref()).collect::<Vec<_>>(),
        "history_read": report.history_read,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |name| vars.get(name).cloned()
    }

    fn in_ci(forge: ForgeKind, url: &str) -> Target {
        Target {
            forge: Some(forge),
            project: Some("lava/lava".into()),
            number: 12,
            url: Some(url.into()),
            read_only: None,
        }
    }

    const PROJECT: &str = "[[project]]\nforge = \"FORGE\"\npath = \"lava/lava\"\n\
                           releases = { scheme = \"calver\" }\n";

    /// The config a CI job would load: the file, amended from the environment.
    fn loaded(forge: ForgeKind, target: &Target) -> Config {
        let file = PROJECT.replace("FORGE", forge.name());
        crate::config::parse("test", &amend_for_ci(&file, target)).expect("valid")
    }

    #[test]
    fn gitlab_ci_supplies_the_url_and_the_schemagate_token_comes_first() {
        let target = in_ci(ForgeKind::GitLab, "https://gitlab.example.org");
        let (config, project) = effective_config(
            &loaded(ForgeKind::GitLab, &target),
            &target,
            &env(&[(GITLAB_TOKEN_VARIABLE, "glpat-x"), ("CI_JOB_TOKEN", "job")]),
        )
        .unwrap();
        assert_eq!(project.path, "lava/lava");
        let gitlab = config.gitlab.unwrap();
        assert_eq!(gitlab.url, "https://gitlab.example.org");
        assert_eq!(gitlab.token_env, GITLAB_TOKEN_VARIABLE);
        // A file with its own [gitlab] keeps it.
        let own = "[gitlab]\nurl = \"https://own.example.org\"\ntoken_env = \"MINE\"\n";
        assert_eq!(amend_for_ci(own, &target), own);
    }

    #[test]
    fn the_job_token_is_refused_with_what_to_use_instead() {
        let target = in_ci(ForgeKind::GitLab, "https://gitlab.example.org");
        let config = loaded(ForgeKind::GitLab, &target);
        for vars in [
            vec![("CI_JOB_TOKEN", "job")],
            vec![("CI_JOB_TOKEN", "job"), (GITLAB_TOKEN_VARIABLE, "job")],
        ] {
            let error = effective_config(&config, &target, &env(&vars))
                .unwrap_err()
                .to_string();
            assert!(error.contains("CI_JOB_TOKEN"), "{error}");
            assert!(error.contains("project access token"), "{error}");
            assert!(error.contains(GITLAB_TOKEN_VARIABLE), "{error}");
        }
    }

    #[test]
    fn github_actions_supplies_the_api_url_and_its_token() {
        let target = in_ci(ForgeKind::GitHub, "https://ghe.example.org/api/v3");
        let config = loaded(ForgeKind::GitHub, &target);
        let (config, project) =
            effective_config(&config, &target, &env(&[(GITHUB_TOKEN_VARIABLE, "ghs_x")])).unwrap();
        assert_eq!(project.forge, ForgeKind::GitHub);
        let github = config.github.unwrap();
        assert_eq!(github.api_url, "https://ghe.example.org/api/v3");
        assert_eq!(
            github.auth,
            GithubAuth::Token {
                token_env: GITHUB_TOKEN_VARIABLE.into()
            }
        );
        let missing =
            effective_config(&loaded(ForgeKind::GitHub, &target), &target, &env(&[])).unwrap_err();
        assert!(missing.to_string().contains("GITHUB_TOKEN"));
    }

    #[test]
    fn an_unconfigured_project_says_what_to_commit() {
        let target = in_ci(ForgeKind::GitLab, "https://gitlab.example.org");
        let config = crate::config::parse("test", &amend_for_ci("", &target)).unwrap();
        let error = effective_config(&config, &target, &env(&[(GITLAB_TOKEN_VARIABLE, "t")]))
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("schemagate.toml") && error.contains("scheme"),
            "{error}"
        );
    }

    #[test]
    fn outside_ci_the_mr_must_be_named() {
        let args = CheckArgs {
            project: None,
            mr: None,
            apply: false,
            bot_account: None,
        };
        let error = target(&args, None).unwrap_err().to_string();
        assert!(error.contains("--mr"), "{error}");
    }
}
