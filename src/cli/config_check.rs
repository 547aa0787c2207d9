//! `schemagate config check`: validates the configuration and prints every
//! issue with its key path, `line:column` and fix; exit 2 when there are any.
//! A valid configuration's announcement templates are then loaded and
//! rendered against a sample, so a broken template is found here and not
//! when its mail falls due. Each secret `serve` needs and this environment
//! lacks is a warning, not an error: CI checks a config without secrets.

use crate::cli::Format;
use crate::config::{self, Config, ConfigError, GithubAuth};
use crate::mail::{TemplateError, Templates};
use clap::Subcommand;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Validate the configuration: every error with its key path, line:column and fix.
    Check,
}

pub fn run(
    command: ConfigCommand,
    path: Option<&Path>,
    format: Format,
) -> anyhow::Result<ExitCode> {
    match command {
        ConfigCommand::Check => check(path, format),
    }
}

fn check(path: Option<&Path>, format: Format) -> anyhow::Result<ExitCode> {
    let origin = describe_origin(path);
    match config::load(path) {
        Ok(config) => {
            let mut issues = template_issues(&config);
            issues.extend(status_template_issue(&config));
            if !issues.is_empty() {
                report_template_issues(&issues, &origin, format);
                return Ok(ExitCode::from(2));
            }
            let projects = config.projects.len();
            let warnings = missing_secrets(&config, &|name| std::env::var_os(name).is_some());
            let notes = notes(&config);
            match format {
                Format::Json => println!(
                    "{}",
                    serde_json::json!({"ok": true, "origin": origin, "projects": projects, "issues": [], "warnings": warnings, "notes": notes})
                ),
                Format::Table | Format::Markdown => {
                    let plural = if projects == 1 { "" } else { "s" };
                    println!("config OK: {projects} project{plural} ({origin})");
                    for warning in &warnings {
                        eprintln!("warning: {warning}");
                    }
                    for note in &notes {
                        eprintln!("note: {note}");
                    }
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(ConfigError::Invalid { errors }) => {
            match format {
                Format::Json => println!(
                    "{}",
                    serde_json::json!({"ok": false, "origin": errors.origin, "issues": errors.errors})
                ),
                Format::Table | Format::Markdown => {
                    eprintln!("{errors}");
                    let count = errors.errors.len();
                    let plural = if count == 1 { "" } else { "s" };
                    eprintln!("config invalid: {count} error{plural}");
                }
            }
            Ok(ExitCode::from(2))
        }
        Err(other) => Err(other.into()),
    }
}

/// What a valid configuration leaves off that people may expect on.
fn notes(config: &Config) -> Vec<String> {
    let mut notes = Vec::new();
    if !config.status.enabled() {
        notes.push(
            "the status page is off (every page answers 404); turn it on with \
             [status] password_env = \"SCHEMAGATE_STATUS_PASSWORD\" (HTTP Basic auth, user \
             schemagate) or [status] public = true"
                .to_string(),
        );
    }
    if config.server.observe {
        notes.push(
            "observe mode is on ([server] observe): `serve` writes nothing to the forge and \
             sends no mail"
                .to_string(),
        );
    }
    notes
}

/// Each secret `serve` refuses to start without that `is_set` says is
/// missing, as a sentence naming the variable (or file) and its key.
fn missing_secrets(config: &Config, is_set: &dyn Fn(&str) -> bool) -> Vec<String> {
    let mut wanted: Vec<(&str, &str)> = Vec::new();
    if let Some(gitlab) = &config.gitlab {
        wanted.push((&gitlab.token_env, "gitlab.token_env"));
        wanted.push((&gitlab.webhook_secret_env, "gitlab.webhook_secret_env"));
    }
    let mut warnings = Vec::new();
    if let Some(github) = &config.github {
        match &github.auth {
            GithubAuth::Token { token_env } => wanted.push((token_env, "github.token_env")),
            GithubAuth::App {
                private_key_file, ..
            } if !private_key_file.is_file() => warnings.push(format!(
                "the GitHub App key {} (github.private_key_file) is not readable here; `serve` will not start without it",
                private_key_file.display()
            )),
            GithubAuth::App { .. } => {}
        }
        wanted.push((&github.webhook_secret_env, "github.webhook_secret_env"));
    }
    if let Some(mail) = &config.mail {
        wanted.extend(mail.user_env.as_deref().map(|v| (v, "mail.user_env")));
        wanted.extend(
            mail.password_env
                .as_deref()
                .map(|v| (v, "mail.password_env")),
        );
    }
    if let Some(variable) = config
        .status
        .password_env
        .as_deref()
        .filter(|_| !config.status.public)
    {
        wanted.push((variable, "status.password_env"));
    }
    let unset = wanted.into_iter().filter(|(variable, _)| !is_set(variable));
    warnings.extend(unset.map(|(variable, key)| {
        format!("{variable} (named by `{key}`) is not set here; `serve` will not start without it")
    }));
    warnings
}

/// A status page template that does not compile, under `status.templates_dir`.
fn status_template_issue(config: &Config) -> Option<TemplateIssue> {
    let dir = config.status.templates_dir.as_deref()?;
    let error = crate::server::status::pages::StatusPages::load(Some(dir)).err()?;
    Some(TemplateIssue {
        key_path: "status.templates_dir".to_string(),
        error,
        fix: "correct the template; the data it may use is the status JSON (docs/status-page.md)",
    })
}

/// A template problem, under the key that chose the template directory.
struct TemplateIssue {
    key_path: String,
    error: TemplateError,
    fix: &'static str,
}

const TEMPLATE_FIX: &str =
    "correct the template; the variables it may use are listed in docs/announcements.md";

/// Loads every announcing project's templates; a directory shared by
/// several projects is checked, and reported, once.
fn template_issues(config: &Config) -> Vec<TemplateIssue> {
    let mut seen: Vec<Option<PathBuf>> = Vec::new();
    let mut issues = Vec::new();
    for (index, project) in config.projects.iter().enumerate() {
        let Some(announce) = &project.announce else {
            continue;
        };
        if seen.contains(&announce.templates_dir) {
            continue;
        }
        seen.push(announce.templates_dir.clone());
        if let Err(errors) = Templates::load(announce.templates_dir.as_deref()) {
            issues.extend(errors.into_iter().map(|error| TemplateIssue {
                key_path: format!("project[{index}].announce.templates_dir"),
                error,
                fix: TEMPLATE_FIX,
            }));
        }
    }
    issues
}

fn report_template_issues(issues: &[TemplateIssue], origin: &str, format: Format) {
    match format {
        Format::Json => {
            let list: Vec<serde_json::Value> = issues
                .iter()
                .map(|issue| {
                    serde_json::json!({
                        "file": issue.error.file,
                        "key_path": issue.key_path,
                        "line": issue.error.line,
                        "column": issue.error.column,
                        "message": issue.error.message,
                        "fix": issue.fix,
                    })
                })
                .collect();
            println!(
                "{}",
                serde_json::json!({"ok": false, "origin": origin, "issues": list})
            );
        }
        Format::Table | Format::Markdown => {
            for issue in issues {
                eprintln!(
                    "{}:{}:{}: {}: {} — {}",
                    issue.error.file,
                    issue.error.line,
                    issue.error.column,
                    issue.key_path,
                    issue.error.message,
                    issue.fix
                );
            }
            let count = issues.len();
            let plural = if count == 1 { "" } else { "s" };
            eprintln!("config invalid: {count} error{plural} in templates");
        }
    }
}

fn describe_origin(path: Option<&Path>) -> String {
    match path {
        Some(path) => path.display().to_string(),
        None if Path::new(config::DEFAULT_FILE).is_file() => config::DEFAULT_FILE.to_string(),
        None => "built-in defaults".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_secret_serve_needs_and_the_environment_lacks_is_named_with_its_key() {
        let config = config::parse(
            "t.toml",
            "[gitlab]\nurl = \"https://gitlab.example.org\"\n\
             [github]\ntoken_env = \"GH_TOKEN\"\n\
             [mail]\nsmtp_url = \"smtp://127.0.0.1:25\"\nfrom = \"bot@example.org\"\n\
             user_env = \"SMTP_USER\"\npassword_env = \"SMTP_PASSWORD\"\n",
        )
        .unwrap();
        let set = ["GITLAB_TOKEN", "SMTP_USER"];
        let warnings = missing_secrets(&config, &|name| set.contains(&name));
        let named: Vec<&str> = warnings
            .iter()
            .map(|w| w.split_whitespace().next().unwrap())
            .collect();
        assert_eq!(
            named,
            vec![
                "GITLAB_WEBHOOK_SECRET",
                "GH_TOKEN",
                "GITHUB_WEBHOOK_SECRET",
                "SMTP_PASSWORD"
            ],
            "{warnings:#?}"
        );
        assert!(
            warnings[1].contains("`github.token_env`"),
            "{}",
            warnings[1]
        );
        assert!(missing_secrets(&config, &|_| true).is_empty());
    }
}
