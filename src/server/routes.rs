//! The HTTP surface: which handler answers which path, and the state they share.

use super::{WebhookSecrets, health, metrics, status, webhook};
use crate::config::Config;
use crate::engine::Forges;
use crate::store::Store;
use axum::Router;
use axum::routing::{get, post};
use metrics_exporter_prometheus::PrometheusHandle;
use std::sync::Arc;
use tokio::sync::Notify;

/// What every handler needs.
pub struct AppState {
    pub config: Arc<Config>,
    pub store: Store,
    /// Stores deliveries in batches (group commit).
    pub intake: super::group_commit::Intake,
    pub secrets: WebhookSecrets,
    /// Woken after each stored delivery so an idle worker claims it at once.
    pub wake: Arc<Notify>,
    pub metrics: Option<PrometheusHandle>,
    /// The server's forge clients, whose health `/healthz` reports.
    pub forges: Forges,
    /// The mail service, for `/healthz`'s SMTP probe and last refusal.
    pub mail: Option<crate::engine::MailService>,
    /// The status page, when `[status]` turns it on.
    pub status: Option<super::status::StatusSite>,
    /// The server runs in observe mode.
    pub observe: bool,
}

pub fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/webhooks/gitlab", post(webhook::gitlab))
        .route("/webhooks/github", post(webhook::github))
        .route("/healthz", get(health::healthz))
        .route("/metrics", get(metrics::render))
        .route("/", get(status::index))
        .route("/projects/{forge}/{*path}", get(status::project_page))
        .route("/api/v1/status", get(status::index_json))
        .route(
            "/api/v1/projects/{forge}/{*path}",
            get(status::project_json),
        )
        .with_state(state)
}
