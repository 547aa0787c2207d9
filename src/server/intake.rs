//! What happens to an authenticated, parsed webhook: ignored (202), a ping
//! (200), or stored with its job BEFORE the answer goes back (202 queued,
//! 200 duplicate, 503 when the store cannot take it so the forge redelivers).

use super::group_commit::PendingDelivery;
use super::routes::AppState;
use crate::config::Config;
use crate::forge::ForgeKind;
use crate::metric_names::{EVENTS_RECEIVED, WEBHOOKS_REJECTED};
use crate::store::Enqueued;
use crate::work::{QueuedWork, Translated, Work, WorkScope};
use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;
use tracing::Instrument;

/// One authenticated delivery, translated at the edge.
pub struct Delivery<'a> {
    pub forge: ForgeKind,
    /// The forge's event header value.
    pub event_name: &'a str,
    pub delivery_id: String,
    pub translated: Translated,
}

pub async fn accept(app: &AppState, delivery: Delivery<'_>) -> Response {
    let span = tracing::info_span!(
        "webhook",
        forge = delivery.forge.name(),
        event = delivery.event_name,
        delivery = %delivery.delivery_id
    );
    store_or_ignore(app, delivery).instrument(span).await
}

async fn store_or_ignore(app: &AppState, delivery: Delivery<'_>) -> Response {
    let Delivery {
        forge,
        event_name,
        delivery_id,
        translated,
    } = delivery;
    metrics::counter!(EVENTS_RECEIVED, "forge" => forge.name(), "kind" => event_kind(event_name))
        .increment(1);
    let work = match translated {
        Translated::Queue(work) => work,
        Translated::Ignore(reason) => return ignored(&reason),
        Translated::Pong => {
            tracing::info!("ping");
            return reply(StatusCode::OK, json!({ "status": "pong" }));
        }
    };
    if let Some(reason) = unconfigured(&app.config, &work) {
        return ignored(&reason);
    }
    let serial_key = work.serial_key();
    let payload = QueuedWork {
        work,
        from_webhook: true,
    }
    .to_json();
    let stored = app
        .intake
        .store(PendingDelivery {
            forge,
            delivery_id,
            event_name: event_name.to_string(),
            serial_key: serial_key.clone(),
            payload,
        })
        .await;
    match stored {
        Ok(Enqueued::New(job)) => {
            app.wake.notify_one();
            tracing::info!(job = job.0, key = %serial_key, "queued");
            reply(
                StatusCode::ACCEPTED,
                json!({ "status": "queued", "job": job.0 }),
            )
        }
        Ok(Enqueued::Duplicate) => {
            tracing::info!("duplicate delivery, already stored");
            reply(StatusCode::OK, json!({ "status": "duplicate" }))
        }
        Err(error) => {
            tracing::error!(%error, "cannot store the delivery");
            metrics::counter!(WEBHOOKS_REJECTED, "forge" => forge.name(), "reason" => "store_unavailable")
                .increment(1);
            reply(
                StatusCode::SERVICE_UNAVAILABLE,
                json!({ "error": "the delivery could not be stored; redeliver it later" }),
            )
        }
    }
}

/// Why a delivery's work is about nothing this server manages, if it is not.
fn unconfigured(config: &Config, work: &Work) -> Option<String> {
    let forge = work.forge();
    match work.scope() {
        WorkScope::Project(project) => config
            .project_on(forge, &project.0)
            .is_none()
            .then(|| format!("project {project} is not configured")),
        // A group milestone is every project's below that group.
        WorkScope::Group(group) => config
            .projects_in_group(forge, group)
            .next()
            .is_none()
            .then(|| format!("no configured project is in the group {group}")),
    }
}

/// The `kind` label: the event header, bounded so a sender cannot flood the
/// metrics with made-up names.
fn event_kind(event_name: &str) -> String {
    let plain = event_name.len() <= 40
        && event_name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == ' ' || c == '_');
    if plain {
        event_name.to_string()
    } else {
        "other".to_string()
    }
}

fn ignored(reason: &str) -> Response {
    tracing::info!(reason, "ignored");
    reply(
        StatusCode::ACCEPTED,
        json!({ "status": "ignored", "reason": reason }),
    )
}

fn reply(status: StatusCode, body: serde_json::Value) -> Response {
    (status, Json(body)).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forge::{ItemKind, ItemNumber, ProjectPath};
    use crate::work::{MilestoneAction, MilestoneScope};

    fn config() -> Config {
        let text = r#"
[gitlab]
url = "https://gitlab.example.org"
token_env = "T"
webhook_secret_env = "S"

[[project]]
forge = "gitlab"
path = "lava/lava"
releases = { scheme = "calver" }
gate = { require_announcement = false }
"#;
        crate::config::parse("test", text).unwrap()
    }

    fn evaluate(forge: ForgeKind, project: &str) -> Work {
        Work::Evaluate {
            forge,
            project: ProjectPath(project.into()),
            kind: ItemKind::MergeRequest,
            number: ItemNumber(1),
        }
    }

    fn group_milestone(group: &str) -> Work {
        Work::MilestoneChanged {
            forge: ForgeKind::GitLab,
            scope: MilestoneScope::Group(group.into()),
            title: "2026.11".into(),
            action: MilestoneAction::Closed,
        }
    }

    #[test]
    fn a_configured_project_is_accepted_whatever_its_case() {
        assert_eq!(
            unconfigured(&config(), &evaluate(ForgeKind::GitLab, "LAVA/lava")),
            None
        );
    }

    #[test]
    fn the_same_path_on_the_other_forge_is_not_configured() {
        assert!(unconfigured(&config(), &evaluate(ForgeKind::GitHub, "lava/lava")).is_some());
        assert!(unconfigured(&config(), &evaluate(ForgeKind::GitLab, "other/x")).is_some());
    }

    #[test]
    fn a_group_milestone_counts_when_a_configured_project_is_below_the_group() {
        let config = config();
        assert_eq!(unconfigured(&config, &group_milestone("Lava")), None);
        assert!(unconfigured(&config, &group_milestone("lav")).is_some());
    }

    #[test]
    fn odd_event_names_share_one_metric_label() {
        assert_eq!(event_kind("Merge Request Hook"), "Merge Request Hook");
        assert_eq!(event_kind("pull_request"), "pull_request");
        assert_eq!(event_kind("x\"} 1\nevil"), "other");
        assert_eq!(event_kind(&"a".repeat(200)), "other");
    }
}
