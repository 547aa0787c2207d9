//! `schemagate serve`: the webhook server. Refuses to start on an invalid
//! configuration or a missing secret; starts when a forge or the mail server
//! is down; on SIGTERM or Ctrl-C stops taking webhooks, lets running jobs
//! finish within the grace period and returns the rest to the queue.

use super::runtime::{init_logging, status_password, tokio_runtime, webhook_secrets};
use crate::cli::Settings;
use crate::engine::{Forges, MailService};
use crate::server::{self, ServeOptions};
use crate::store::Store;
use anyhow::{Context, Result};
use clap::Args;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

/// The default lease of a claimed job; the worker renews it every third of
/// this while the job runs, so only a replica that died loses its jobs, and
/// another replica (or the restarted one) takes them after at most this long.
const DEFAULT_LEASE: &str = "60s";
/// Time running jobs get to finish on shutdown: inside the 30 s a container
/// orchestrator usually allows between SIGTERM and SIGKILL.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(20);

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Jobs worked at once by this process.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub workers: u16,

    /// Address to listen on, instead of `server.listen` from the configuration.
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<SocketAddr>,

    /// How long a claimed job is leased (renewed while it runs): after a
    /// crash, its jobs run again once this has passed (e.g. `60s`, `5m`).
    #[arg(long, value_name = "DURATION", default_value = DEFAULT_LEASE, value_parser = parse_lease)]
    pub job_lease: Duration,

    /// Observe mode: read, decide and record as usual, but write nothing to
    /// the forge and send no mail; the status page shows what would be
    /// done. Same as `[server] observe = true`.
    #[arg(long)]
    pub observe: bool,
}

/// A lease must outlast a heartbeat round trip; under a second is a typo.
fn parse_lease(text: &str) -> Result<Duration, String> {
    let lease = crate::config::duration::parse_duration(text)?;
    if lease < Duration::from_secs(1) {
        return Err(format!(
            "{text} is too short for a job lease; use 1s or more"
        ));
    }
    Ok(lease)
}

pub fn run(args: ServeArgs, settings: &Settings) -> Result<ExitCode> {
    let mut config = settings
        .config()
        .context("refusing to start the server")?
        .clone();
    if let Some(listen) = args.listen {
        config.server.listen = listen;
    }
    if args.observe {
        config.server.observe = true;
    }
    let secrets = webhook_secrets(&config).context("refusing to start the server")?;
    let status_password = status_password(&config).context("refusing to start the server")?;
    let runtime = tokio_runtime()?;
    // The GitHub client spawns its service task as it is built.
    let forges = {
        let _in_runtime = runtime.enter();
        Forges::from_config(&config).context("refusing to start the server")?
    };
    let mail = MailService::from_config(&config, &|name| std::env::var(name).ok())
        .context("refusing to start the server")?;
    init_logging("info");
    let options = ServeOptions {
        workers: usize::from(args.workers),
        worker_id: worker_id(),
        lease: args.job_lease,
        shutdown_grace: SHUTDOWN_GRACE,
        mail,
        status_password,
    };
    runtime.block_on(async move {
        let store = Store::connect(&config.server.database)
            .await
            .context("refusing to start the server")?;
        let running = server::start(Arc::new(config), store, forges, secrets, options).await?;
        eprintln!("schemagate listening on http://{}", running.addr);
        stop_signal().await;
        tracing::info!("stop signal received; shutting down");
        running.shutdown().await
    })?;
    Ok(ExitCode::SUCCESS)
}

/// Waits for Ctrl-C or (on Unix) SIGTERM.
async fn stop_signal() {
    let ctrl_c = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::warn!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut stream) => {
                stream.recv().await;
            }
            Err(error) => {
                tracing::warn!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = terminate => {}
    }
}

/// `host:pid`, so a lease in the store names the replica that holds it.
fn worker_id() -> String {
    let host = std::env::var("HOSTNAME")
        .ok()
        .or_else(|| std::fs::read_to_string("/etc/hostname").ok())
        .map(|name| name.trim().to_string())
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| "schemagate".to_string());
    format!("{host}:{}", std::process::id())
}
