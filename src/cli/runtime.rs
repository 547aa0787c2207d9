//! What `serve` and `sync` share: logging to stderr, a tokio runtime, and the
//! webhook secrets read from the environment variables the configuration names.

use crate::config::Config;
use crate::server::WebhookSecrets;
use anyhow::{Context, Result, bail};
use std::io::IsTerminal;
use tracing_subscriber::EnvFilter;

/// Logs to stderr, filtered by `RUST_LOG` (else `default_level`), in colour
/// only on a terminal (journald and log files get plain text). A second
/// call (tests running several commands in one process) is a no-op.
pub fn init_logging(default_level: &str) {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new(default_directives(default_level)));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .try_init();
}

/// `default_level` for everything but the forge clients' own error logging:
/// octocrab logs every failed request (each retry too) at ERROR with no
/// project, and the bot logs the failure itself, once, with its project,
/// call and whole cause chain. `RUST_LOG` can still turn it on.
fn default_directives(default_level: &str) -> String {
    format!("{default_level},octocrab=off")
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

/// The status page's password, when `[status] password_env` names one
/// (a public page needs none).
pub fn status_password(config: &Config) -> Result<Option<String>> {
    match &config.status.password_env {
        Some(variable) if !config.status.public => Ok(Some(secret(
            variable,
            "the status page's password",
            "status.password_env",
        )?)),
        _ => Ok(None),
    }
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
