//! `GET /healthz`: the database (one round trip), each configured forge (from
//! what the last forge calls said, including the start-up probe; no extra
//! request; `unknown` until one has answered) and the mail server (connect, TLS as configured, EHLO, QUIT; and
//! the ledger's newest mail refused for good, until a mail goes out), and the dead jobs
//! (degraded while any is left). 200 while the database
//! answers — a forge or mail outage is reported but webhooks are still
//! accepted and queued (docs/deployment.md) — else 503.

use super::routes::AppState;
use crate::forge::ForgeKind;
use crate::forge::metered::ForgeHealth;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};
use std::sync::Arc;
use std::time::Duration;

/// How long the database and the mail server get to answer.
const PROBE_TIMEOUT: Duration = Duration::from_secs(2);

const OK: &str = "ok";
/// A forge that has not answered a call yet: neither up nor down is known.
const UNKNOWN: &str = "unknown";
/// A configured forge that no project is on: nothing to report, nothing wrong.
const UNUSED: &str = "unused: no project is on this forge";

pub async fn healthz(State(app): State<Arc<AppState>>) -> Response {
    let (database, mail, dead) = tokio::join!(database(&app), mail(&app), dead_jobs(&app));
    let mut forges = Map::new();
    for (kind, configured) in [
        (ForgeKind::GitLab, app.config.gitlab.is_some()),
        (ForgeKind::GitHub, app.config.github.is_some()),
    ] {
        if configured {
            forges.insert(kind.name().to_string(), Value::String(forge(&app, kind)));
        }
    }
    let database_ok = database == OK;
    let all_ok = database_ok
        && dead == Some(0)
        && mail.as_deref().is_none_or(|mail| mail == OK)
        && forges.values().all(|state| state == OK || state == UNUSED);
    let status = match (database_ok, all_ok) {
        (true, true) => "ok",
        (true, false) => "degraded",
        (false, _) => "down",
    };
    let mut body = json!({ "status": status, "database": database, "forges": forges });
    if let Some(mail) = mail {
        body["mail"] = Value::String(mail);
    }
    if let Some(dead) = dead {
        body["dead_jobs"] = json!(dead);
    }
    let code = if database_ok {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (code, Json(body)).into_response()
}

/// Jobs given up after their last attempt (`schemagate jobs` lists and
/// retries them); `None` when the database does not answer.
async fn dead_jobs(app: &AppState) -> Option<u64> {
    probe(app.store.queue_depth())
        .await
        .ok()
        .map(|depth| depth.dead)
}

/// A probe's answer within the probe budget; `Err(None)` when it took longer.
async fn probe<T, E>(answer: impl Future<Output = Result<T, E>>) -> Result<T, Option<E>> {
    match tokio::time::timeout(PROBE_TIMEOUT, answer).await {
        Ok(answered) => answered.map_err(Some),
        Err(_elapsed) => Err(None),
    }
}

async fn database(app: &AppState) -> String {
    match probe(app.store.ping()).await {
        Ok(()) => OK.to_string(),
        Err(Some(error)) => format!("down: {error}"),
        Err(None) => format!("down: no answer within {}s", PROBE_TIMEOUT.as_secs()),
    }
}

/// What the last calls to the forge said, in words (also on the status page).
pub(super) fn forge(app: &AppState, kind: ForgeKind) -> String {
    let Some(forge) = app.forges.get(kind) else {
        return "down: no client (the token is not set)".to_string();
    };
    match forge.health() {
        // A forge no project is on is never called, so never probed.
        ForgeHealth::Untried if !app.config.projects.iter().any(|p| p.forge == kind) => {
            UNUSED.to_string()
        }
        // Until the start-up probe (one read right after start) answers.
        ForgeHealth::Untried => UNKNOWN.to_string(),
        ForgeHealth::Ok => OK.to_string(),
        ForgeHealth::Down { reason, since } => {
            let for_secs = since.elapsed().map_or(0, |elapsed| elapsed.as_secs());
            format!("down: {reason} (for {for_secs}s)")
        }
    }
}

/// `None` when no mail server is configured.
async fn mail(app: &AppState) -> Option<String> {
    let service = app.mail.as_ref()?;
    // Both within the one probe budget.
    let (answer, refusal) = tokio::join!(
        probe(service.mailer().probe()),
        probe(app.store.latest_refusal()),
    );
    let probe = match answer {
        Ok(()) => OK.to_string(),
        Err(Some(reason)) => format!("down: {reason}"),
        Err(None) => format!(
            "down: the mail server did not answer within {}s",
            PROBE_TIMEOUT.as_secs()
        ),
    };
    Some(match refusal {
        Ok(Some(sentence)) if probe == OK => format!("failing: {sentence}"),
        // Without an answer from the store the database line says why.
        _ => probe,
    })
}
