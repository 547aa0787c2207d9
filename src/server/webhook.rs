//! `POST /webhooks/gitlab` and `POST /webhooks/github`: authenticate, read the
//! body within the size limit, translate it at the edge, and hand the work it asks for to
//! [`intake`](super::intake) to be stored before the answer goes back.
//!
//! Answers (each a one-line JSON body): 404 when the forge is not configured
//! on this server, 401 for a missing or wrong token or signature, 413 for a
//! body over `server.max_body_bytes`, 400 for a missing event header or a body
//! that is not the JSON its header promises; then what `intake` decides.

use super::intake::{self, Delivery};
use super::routes::AppState;
use crate::forge::ForgeKind;
use crate::forge::github::{self, signature::SIGNATURE_HEADER};
use crate::forge::gitlab::webhook as gitlab_webhook;
use crate::metric_names::WEBHOOKS_REJECTED;
use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use http_body_util::{BodyExt, LengthLimitError, Limited};
use sha2::{Digest, Sha256};
use std::sync::Arc;

/// GitLab's header that stays the same across retries of one delivery (17.4+).
const GITLAB_IDEMPOTENCY_HEADER: &str = "Idempotency-Key";
/// GitLab's per-event id, shared by recursive hook chains.
const GITLAB_EVENT_UUID_HEADER: &str = "X-Gitlab-Event-UUID";

pub async fn gitlab(State(app): State<Arc<AppState>>, headers: HeaderMap, body: Body) -> Response {
    let forge = ForgeKind::GitLab;
    let Some(secret) = app.secrets.gitlab.as_deref() else {
        return not_configured(forge);
    };
    // The token is a header, so a stranger is turned away before any body is read.
    if !gitlab_webhook::token_matches(secret, header_text(&headers, gitlab_webhook::TOKEN_HEADER)) {
        return rejected(
            forge,
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "missing or wrong X-Gitlab-Token",
        );
    }
    let body = match read_body(forge, body, &headers, app.config.server.max_body_bytes).await {
        Ok(body) => body,
        Err(response) => return response,
    };
    let Some(event_name) = header_text(&headers, gitlab_webhook::EVENT_HEADER) else {
        return malformed(forge, "missing X-Gitlab-Event header".to_string());
    };
    let translated = match gitlab_webhook::parse(event_name, &body) {
        Ok(translated) => translated,
        Err(error) => return malformed(forge, error.to_string()),
    };
    let delivery_id = delivery_id(
        &headers,
        &[
            GITLAB_IDEMPOTENCY_HEADER,
            gitlab_webhook::DELIVERY_HEADER,
            GITLAB_EVENT_UUID_HEADER,
        ],
        &body,
    );
    accept(&app, forge, event_name, delivery_id, translated).await
}

pub async fn github(State(app): State<Arc<AppState>>, headers: HeaderMap, body: Body) -> Response {
    let forge = ForgeKind::GitHub;
    let Some(secret) = app.secrets.github.as_deref() else {
        return not_configured(forge);
    };
    let signature = header_text(&headers, SIGNATURE_HEADER);
    if signature.is_none() {
        return rejected(
            forge,
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            &github::SignatureError::Missing.to_string(),
        );
    }
    let body = match read_body(forge, body, &headers, app.config.server.max_body_bytes).await {
        Ok(body) => body,
        Err(response) => return response,
    };
    if let Err(error) = github::verify_signature(secret.as_bytes(), &body, signature) {
        return rejected(
            forge,
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            &error.to_string(),
        );
    }
    let Some(event_name) = header_text(&headers, github::webhook::EVENT_HEADER) else {
        return malformed(forge, "missing X-GitHub-Event header".to_string());
    };
    let translated = match github::parse_event(event_name, &body) {
        Ok(translated) => translated,
        Err(error) => return malformed(forge, error.to_string()),
    };
    let delivery_id = delivery_id(&headers, &[github::webhook::DELIVERY_HEADER], &body);
    accept(&app, forge, event_name, delivery_id, translated).await
}

/// Hands an authenticated, translated delivery to the intake.
async fn accept(
    app: &AppState,
    forge: ForgeKind,
    event_name: &str,
    delivery_id: String,
    translated: crate::work::Translated,
) -> Response {
    let delivery = Delivery {
        forge,
        event_name,
        delivery_id,
        translated,
    };
    intake::accept(app, delivery).await
}

/// The first non-empty of `names`, else a digest of the body (so an exact
/// redelivery without an id is still recognised).
fn delivery_id(headers: &HeaderMap, names: &[&str], body: &[u8]) -> String {
    names
        .iter()
        .find_map(|name| header_text(headers, name).filter(|value| !value.is_empty()))
        .map_or_else(|| body_digest(body), str::to_string)
}

/// Reads the whole body, refusing (413) one over `limit` bytes: by its
/// `Content-Length` before reading anything, else as soon as the stream
/// passes the limit, so an oversized body is never buffered whole.
async fn read_body(
    forge: ForgeKind,
    body: Body,
    headers: &HeaderMap,
    limit: usize,
) -> Result<Bytes, Response> {
    let too_large = || {
        rejected(
            forge,
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            &format!("the body is larger than the {limit}-byte limit (server.max_body_bytes)"),
        )
    };
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|text| text.trim().parse::<u64>().ok());
    if declared.is_some_and(|length| length > limit as u64) {
        return Err(too_large());
    }
    match Limited::new(body, limit).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(error) if error.downcast_ref::<LengthLimitError>().is_some() => Err(too_large()),
        Err(error) => Err(rejected(
            forge,
            StatusCode::BAD_REQUEST,
            "malformed",
            &format!("could not read the request body: {error}"),
        )),
    }
}

/// A header's value when it is present and readable text.
fn header_text<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get(name)
        .and_then(|value| value.to_str().ok())
        .map(str::trim)
}

/// The delivery id of last resort: the same body redelivered is the same delivery.
fn body_digest(body: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(body)))
}

fn not_configured(forge: ForgeKind) -> Response {
    let (name, section) = match forge {
        ForgeKind::GitLab => ("GitLab", "[gitlab]"),
        ForgeKind::GitHub => ("GitHub", "[github]"),
    };
    rejected(
        forge,
        StatusCode::NOT_FOUND,
        "not_configured",
        &format!(
            "{name} webhooks are not enabled on this server: configure {section} with a webhook secret"
        ),
    )
}

fn malformed(forge: ForgeKind, reason: String) -> Response {
    rejected(forge, StatusCode::BAD_REQUEST, "malformed", &reason)
}

fn rejected(
    forge: ForgeKind,
    status: StatusCode,
    metric_reason: &'static str,
    reason: &str,
) -> Response {
    metrics::counter!(WEBHOOKS_REJECTED, "forge" => forge.name(), "reason" => metric_reason)
        .increment(1);
    tracing::info!(
        forge = forge.name(),
        status = status.as_u16(),
        reason,
        "webhook refused"
    );
    (status, Json(serde_json::json!({ "error": reason }))).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_declared_length_over_the_limit_is_refused_before_reading() {
        let mut headers = HeaderMap::new();
        headers.insert(header::CONTENT_LENGTH, "1000".parse().unwrap());
        let response = read_body(ForgeKind::GitLab, Body::from("x"), &headers, 10)
            .await
            .unwrap_err();
        assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    }

    #[tokio::test]
    async fn an_undeclared_body_over_the_limit_is_refused_while_reading() {
        let response = read_body(
            ForgeKind::GitHub,
            Body::from(vec![b'x'; 11]),
            &HeaderMap::new(),
            10,
        )
        .await
        .unwrap_err();
        assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
        let body = read_body(
            ForgeKind::GitHub,
            Body::from(vec![b'x'; 10]),
            &HeaderMap::new(),
            10,
        )
        .await
        .unwrap();
        assert_eq!(body.len(), 10);
    }

    #[test]
    fn the_body_digest_is_stable_and_distinguishes_bodies() {
        assert_eq!(body_digest(b"{}"), body_digest(b"{}"));
        assert_ne!(body_digest(b"{}"), body_digest(b"[]"));
        assert!(body_digest(b"{}").starts_with("sha256:"));
    }
}
