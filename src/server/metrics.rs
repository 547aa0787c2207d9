//! Prometheus metrics: the process-wide recorder (installed once, however many
//! servers a process starts — tests start several) and `GET /metrics`, which
//! refreshes the queue-depth gauge from the store before rendering.

use super::routes::AppState;
use crate::metric_names::*;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use std::sync::{Arc, OnceLock};

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// Installs the global recorder on first call; `None` when another recorder
/// was installed first (then `/metrics` says so instead of lying with zeros).
pub fn install() -> Option<PrometheusHandle> {
    HANDLE
        .get_or_init(|| match PrometheusBuilder::new().install_recorder() {
            Ok(handle) => {
                describe();
                Some(handle)
            }
            Err(error) => {
                tracing::warn!(%error, "cannot install the Prometheus recorder; /metrics is off");
                None
            }
        })
        .clone()
}

fn describe() {
    use metrics::{describe_counter, describe_gauge};
    describe_counter!(
        EVENTS_RECEIVED,
        "Authenticated, well-formed webhook deliveries, by forge and event name."
    );
    describe_counter!(
        EVENTS_PROCESSED,
        "Queued webhook events worked to the end, by forge and outcome (done, dropped)."
    );
    describe_counter!(
        EVENTS_FAILED,
        "Failed attempts at a queued webhook event (retried later or given up), by forge."
    );
    describe_counter!(
        JOBS,
        "Job attempts finished by the workers, by kind of work and outcome."
    );
    describe_counter!(
        WEBHOOKS_REJECTED,
        "Webhook requests refused, by forge and reason."
    );
    describe_gauge!(
        QUEUE_DEPTH,
        "Jobs in the queue by state, read on each scrape."
    );
    describe_counter!(
        FORGE_REQUESTS,
        "Forge API calls by forge, trait method and outcome."
    );
    describe_gauge!(
        FORGE_RATE_LIMIT_REMAINING,
        "Calls left in the forge's rate-limit window, as its last answer said, by forge and resource."
    );
    describe_counter!(GATE_VERDICTS, "Gate verdicts set, by forge and verdict.");
    describe_counter!(
        ANNOUNCEMENTS_SENT,
        "Announcement mails the SMTP server accepted, by kind."
    );
    describe_counter!(
        ANNOUNCEMENTS_RETRIED,
        "Announcement sends that failed and will be tried again, by kind."
    );
    describe_counter!(
        ANNOUNCEMENTS_FAILED,
        "Announcement mails given up after permanent refusals, by kind."
    );
    // The counters exist from the start, so a scrape shows 0, not nothing.
    for kind in crate::core::announcements::AnnouncementKind::ALL {
        for name in [
            ANNOUNCEMENTS_SENT,
            ANNOUNCEMENTS_RETRIED,
            ANNOUNCEMENTS_FAILED,
        ] {
            metrics::counter!(name, "kind" => kind.word()).increment(0);
        }
    }
}

/// `GET /metrics`: the Prometheus text format.
pub async fn render(State(app): State<Arc<AppState>>) -> Response {
    let Some(handle) = app.metrics.as_ref() else {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            "metrics are unavailable: another metrics recorder was installed in this process\n",
        )
            .into_response();
    };
    match app.store.queue_depth().await {
        Ok(depth) => {
            for (state, count) in [
                ("queued", depth.queued),
                ("running", depth.running),
                ("dead", depth.dead),
            ] {
                metrics::gauge!(QUEUE_DEPTH, "state" => state).set(count as f64);
            }
        }
        // The rest of the metrics are still worth scraping; the gauge keeps its last value.
        Err(error) => tracing::warn!(%error, "cannot read the queue depth for /metrics"),
    }
    handle.run_upkeep();
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        handle.render(),
    )
        .into_response()
}
