//! The webhook server (`schemagate serve`): axum routes for both forges'
//! webhooks, `/healthz` and `/metrics`, the workers that drain the queue,
//! the periodic sync, and graceful shutdown.
//!
//! SKELETON: `start` and `RunningServer` are the contract with the CLI and
//! the end-to-end tests; the server work fills them in.

use crate::config::Config;
use crate::engine::Forges;
use crate::store::Store;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

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
}

/// A started server: its address and a handle to stop it.
pub struct RunningServer {
    pub addr: SocketAddr,
    store: Store,
}

impl RunningServer {
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Stops accepting webhooks, lets in-flight jobs finish within the grace
    /// period and returns the rest to the queue.
    pub async fn shutdown(self) -> anyhow::Result<()> {
        todo!("server")
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
    let _ = (config, store, forges, secrets, options);
    todo!("server")
}
