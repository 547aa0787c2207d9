//! `schemagate config check`: validates the configuration and prints every
//! issue with its key path, `line:column` and fix; exit 2 when there are any.
//! A valid configuration's announcement templates are then loaded and
//! rendered against a sample, so a broken template is found here and not
//! when its mail falls due.

use crate::cli::Format;
use crate::config::{self, Config, ConfigError};
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
            let issues = template_issues(&config);
            if !issues.is_empty() {
                report_template_issues(&issues, &origin, format);
                return Ok(ExitCode::from(2));
            }
            let projects = config.projects.len();
            match format {
                Format::Json => println!(
                    "{}",
                    serde_json::json!({"ok": true, "origin": origin, "projects": projects, "issues": []})
                ),
                Format::Table | Format::Markdown => {
                    let plural = if projects == 1 { "" } else { "s" };
                    println!("config OK: {projects} project{plural} ({origin})");
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

/// A template problem, under the key that chose the template directory.
struct TemplateIssue {
    key_path: String,
    error: TemplateError,
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
                        "fix": TEMPLATE_FIX,
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
                    "{}:{}:{}: {}: {} — {TEMPLATE_FIX}",
                    issue.error.file,
                    issue.error.line,
                    issue.error.column,
                    issue.key_path,
                    issue.error.message
                );
            }
            let count = issues.len();
            let plural = if count == 1 { "" } else { "s" };
            eprintln!("config invalid: {count} error{plural} in mail templates");
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
