//! The webhook server (`schemagate serve`): axum routes for both forges'
//! webhooks, `/healthz` and `/metrics`, the workers that drain the queue,
//! the periodic sync, and graceful shutdown. `start` and `RunningServer` are
//! the contract with the CLI and the end-to-end tests.

mod group_commit;
mod health;
mod intake;
pub mod metrics;
mod routes;
mod shutdown;
pub mod status;
pub mod sync_loop;
mod webhook;
pub mod workers;

use crate::config::Config;
use crate::engine::{Engine, Forges, MailService};
use crate::forge::ForgeKind;
use crate::store::Store;
use anyhow::Context;
use routes::AppState;
use shutdown::{Lifecycle, Phase};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;
use tokio::task::JoinHandle;

/// The webhook secrets, read from the environment variables the config names.
#[derive(Debug, Clone, Default)]
pub struct WebhookSecrets {
    pub gitlab: Option<String>,
    pub github: Option<String>,
}

/// Tuning for one server process.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// Concurrent workers draining the queue.
    pub workers: usize,
    /// This replica's name in job leases (host and pid by default).
    pub worker_id: String,
    /// How long a claimed job stays leased before another replica may take it.
    pub lease: Duration,
    /// How long shutdown waits for in-flight jobs before returning them to the queue.
    pub shutdown_grace: Duration,
    /// SMTP and templates for announcements (`None`: no `[mail]`, nothing is mailed).
    pub mail: Option<MailService>,
    /// The status page's password, from `[status] password_env`.
    pub status_password: Option<String>,
}

/// A started server: its address and a handle to stop it.
pub struct RunningServer {
    pub addr: SocketAddr,
    store: Store,
    lifecycle: Lifecycle,
    grace: Duration,
    http: Option<JoinHandle<std::io::Result<()>>>,
    sync: Option<JoinHandle<()>>,
    workers: Vec<JoinHandle<()>>,
}

impl RunningServer {
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Stops accepting webhooks, lets in-flight jobs finish within the grace
    /// period and returns the rest to the queue.
    pub async fn shutdown(mut self) -> anyhow::Result<()> {
        self.lifecycle.enter(Phase::Draining);
        let deadline = tokio::time::Instant::now() + self.grace;
        let mut served = Ok(());
        if let Some(http) = self.http.take() {
            // A request still being read when the grace runs out is cut off.
            match tokio::time::timeout_at(deadline, http).await {
                Ok(joined) => served = joined.context("the HTTP server task failed")?,
                Err(_) => tracing::warn!("open connections outlived the grace period; closing"),
            }
        }
        if let Some(sync) = self.sync.take() {
            let _ = sync.await;
        }
        let mut workers = std::mem::take(&mut self.workers);
        let drained = tokio::time::timeout_at(deadline, async {
            for worker in &mut workers {
                let _ = worker.await;
            }
        })
        .await;
        if drained.is_err() {
            tracing::info!("grace period over; returning unfinished jobs to the queue");
            self.lifecycle.enter(Phase::Abandoning);
            for worker in &mut workers {
                let _ = worker.await;
            }
        }
        tracing::info!("server stopped");
        served.context("the HTTP server failed")
    }
}

impl Drop for RunningServer {
    /// Dropped without `shutdown` (a test that ends): stop every task now.
    fn drop(&mut self) {
        self.lifecycle.enter(Phase::Abandoning);
        let tasks = self.workers.iter();
        for task in tasks {
            task.abort();
        }
        if let Some(http) = &self.http {
            http.abort();
        }
        if let Some(sync) = &self.sync {
            sync.abort();
        }
    }
}

/// Binds `config.server.listen` and starts the routes, the workers and the
/// periodic sync. Starts even when a forge or the mail server is down.
pub async fn start(
    config: Arc<Config>,
    store: Store,
    forges: Forges,
    secrets: WebhookSecrets,
    options: ServeOptions,
) -> anyhow::Result<RunningServer> {
    let status = status_site(&config, options.status_password.as_deref())?;
    let observe = config.server.observe;
    if observe {
        tracing::info!("observe mode: nothing is written to the forge and no mail is sent");
    } else {
        // What an observing run held back is now written by this one: each
        // item's record says it still owes those writes.
        let forgotten = store.clear_observed().await?;
        if forgotten > 0 {
            tracing::info!(
                forgotten,
                "observe mode is off; the writes it held back will be made"
            );
        }
    }
    let (listener, addr) = bind(config.server.listen).await?;
    probe_forges(&config, &forges);
    let engine = Arc::new(
        Engine::new(config.clone(), store.clone(), forges.clone())
            .with_mail(options.mail.clone())
            .with_observe(observe),
    );
    let wake = Arc::new(Notify::new());
    let lifecycle = Lifecycle::new();
    let state = Arc::new(AppState {
        config: config.clone(),
        store: store.clone(),
        intake: group_commit::Intake::start(store.clone()),
        secrets,
        wake: wake.clone(),
        metrics: metrics::install(),
        forges,
        mail: options.mail.clone(),
        status,
        observe,
    });

    let http = serve_http(listener, state, &lifecycle);
    let workers = workers::Workers {
        engine,
        store: store.clone(),
        wake: wake.clone(),
        lease: options.lease,
    }
    .spawn(options.workers, &options.worker_id, &lifecycle.watch());
    let sync = spawn_background(config, &store, wake, &lifecycle);
    tracing::debug!(%addr, workers = options.workers, "webhook server listening");
    Ok(RunningServer {
        addr,
        store,
        lifecycle,
        grace: options.shutdown_grace,
        http: Some(http),
        sync: Some(sync),
        workers,
    })
}

/// The status page's templates and access rule, when `[status]` turns it on.
fn status_site(
    config: &Config,
    password: Option<&str>,
) -> anyhow::Result<Option<status::StatusSite>> {
    let settings = &config.status;
    if !settings.enabled() {
        return Ok(None);
    }
    let pages = status::pages::StatusPages::load(settings.templates_dir.as_deref())
        .map_err(|error| anyhow::anyhow!("a status page template is broken: {error}"))?;
    let access = match (settings.public, password) {
        (true, _) => status::access::Access::Public,
        (false, Some(password)) => status::access::Access::password(password),
        (false, None) => anyhow::bail!(
            "the status page's password is not set: export {} (named by status.password_env)",
            settings
                .password_env
                .as_deref()
                .unwrap_or("SCHEMAGATE_STATUS_PASSWORD")
        ),
    };
    Ok(Some(status::StatusSite { pages, access }))
}

/// Binds the listening socket; returns it with the address it got (the
/// port is chosen by the system when the config asks for port 0).
async fn bind(listen: SocketAddr) -> anyhow::Result<(tokio::net::TcpListener, SocketAddr)> {
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("cannot listen on {listen}"))?;
    let addr = listener
        .local_addr()
        .context("cannot read the bound address")?;
    Ok((listener, addr))
}

/// Serves the routes until shutdown reaches `Draining`.
fn serve_http(
    listener: tokio::net::TcpListener,
    state: Arc<AppState>,
    lifecycle: &Lifecycle,
) -> JoinHandle<std::io::Result<()>> {
    let mut phase = lifecycle.watch();
    let app = routes::router(state);
    tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async move { phase.wait_for(Phase::Draining).await })
            .await
    })
}

/// Starts the periodic pruning and the periodic sync; returns the sync's
/// task, which shutdown waits for.
fn spawn_background(
    config: Arc<Config>,
    store: &Store,
    wake: Arc<Notify>,
    lifecycle: &Lifecycle,
) -> JoinHandle<()> {
    tokio::spawn(sync_loop::prune_periodically(
        config.server.retention,
        store.clone(),
        lifecycle.watch(),
    ));
    tokio::spawn(sync_loop::run(
        config,
        store.clone(),
        wake,
        lifecycle.watch(),
    ))
}

/// One read per configured forge right after start (the milestones of its
/// first project), so `/healthz` tells whether the forge is reachable from
/// the first moment rather than after the first job. Never blocks startup.
fn probe_forges(config: &Config, forges: &Forges) {
    for kind in [ForgeKind::GitLab, ForgeKind::GitHub] {
        let Some(forge) = forges.get(kind) else {
            continue;
        };
        let Some(project) = config.projects.iter().find(|p| p.forge == kind) else {
            continue;
        };
        let path = project.path.clone();
        let forge = forge.clone();
        tokio::spawn(async move {
            if let Err(error) = forge.milestones(&path).await {
                tracing::warn!(project = %path, %error, "the forge did not answer the start-up probe");
            }
        });
    }
}
