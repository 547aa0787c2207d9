//! `schemagate config check`: validates the configuration and prints every
//! issue with its key path, `line:column` and fix; exit 2 when there are any.

use crate::cli::Format;
use crate::config::{self, ConfigError};
use clap::Subcommand;
use std::path::Path;
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

fn describe_origin(path: Option<&Path>) -> String {
    match path {
        Some(path) => path.display().to_string(),
        None if Path::new(config::DEFAULT_FILE).is_file() => config::DEFAULT_FILE.to_string(),
        None => "built-in defaults".to_string(),
    }
}
