//! The fake GitHub's issue events (labeled, unlabeled, milestoned,
//! demilestoned) for issues and pull requests alike, recorded for the API's
//! writes (as the bot's login) and for a person's edits through the
//! helpers; and who a credential is (`GET /user`, `GET /app`).

use super::Fake;
use super::render;
use super::state::{Caller, State};
use axum::extract::{Path, Query, State as AxumState};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// The login a person's edits in the tests are made by.
pub const PERSON: &str = "alice";
/// The App's slug: its writes are `schemagate[bot]`'s.
pub const APP_SLUG: &str = "schemagate";

#[derive(Debug, Clone)]
pub struct IssueEvent {
    pub id: u64,
    pub repo: String,
    pub number: u64,
    pub actor: String,
    pub at: chrono::DateTime<chrono::Utc>,
    /// `labeled`, `unlabeled`, `milestoned` or `demilestoned`.
    pub event: &'static str,
    /// The label's name or the milestone's title.
    pub subject: String,
}

/// An item's labels and milestone number, before or after an edit.
pub type Marks = (Vec<String>, Option<u64>);

impl State {
    /// Records what changed between `before` and `after` as `actor`'s events.
    pub fn record_events(
        &mut self,
        repo: &str,
        number: u64,
        before: &Marks,
        after: &Marks,
        actor: &str,
    ) {
        let title = |state: &State, m: u64| {
            state.repos[repo]
                .milestone(m)
                .map_or(String::new(), |m| m.title.clone())
        };
        let mut found: Vec<(&'static str, String)> = Vec::new();
        for label in after.0.iter().filter(|l| !before.0.contains(l)) {
            found.push(("labeled", label.clone()));
        }
        for label in before.0.iter().filter(|l| !after.0.contains(l)) {
            found.push(("unlabeled", label.clone()));
        }
        if before.1 != after.1 {
            if let Some(m) = before.1 {
                found.push(("demilestoned", title(self, m)));
            }
            if let Some(m) = after.1 {
                found.push(("milestoned", title(self, m)));
            }
        }
        for (event, subject) in found {
            let now = chrono::Utc::now();
            let at = match self.history.last() {
                Some(last) if last.at >= now => last.at + chrono::Duration::milliseconds(1),
                _ => now,
            };
            let id = self.fresh_id();
            self.history.push(IssueEvent {
                id,
                repo: repo.to_string(),
                number,
                actor: actor.to_string(),
                at,
                event,
                subject,
            });
        }
    }
}

fn event_json(fake: &Fake, e: &IssueEvent) -> Value {
    let bot = e.actor.ends_with("[bot]");
    let mut value = json!({
        "id": e.id,
        "node_id": format!("IE_{}", e.id),
        "url": format!("{}/repos/{}/issues/events/{}", fake.base_url, e.repo, e.id),
        "actor": {"login": e.actor, "id": 1, "type": if bot { "Bot" } else { "User" }},
        "event": e.event,
        "commit_id": null,
        "commit_url": null,
        "created_at": e.at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "performed_via_github_app": null,
    });
    match e.event {
        "labeled" | "unlabeled" => value["label"] = json!({"name": e.subject, "color": "ededed"}),
        _ => value["milestone"] = json!({"title": e.subject}),
    }
    value
}

/// `GET /repos/{owner}/{repo}/issues/{number}/events`, oldest first.
pub async fn list_events(
    AxumState(fake): AxumState<Fake>,
    Path((o, r, n)): Path<(String, String, u64)>,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    let key = format!("{o}/{r}");
    let items: Vec<Value> = {
        let state = fake.state.lock().unwrap();
        let Some(repo) = state.repos.get(&key) else {
            return render::not_found();
        };
        if !repo.issues.contains_key(&n) {
            return render::not_found();
        }
        state
            .history
            .iter()
            .filter(|e| e.repo == key && e.number == n)
            .map(|e| event_json(&fake, e))
            .collect()
    };
    super::routes::paginate(&fake, &format!("/repos/{key}/issues/{n}/events"), &q, items)
}

/// `GET /user`: the token's user; an installation token may not ask.
pub async fn current_user(
    AxumState(fake): AxumState<Fake>,
    Extension(caller): Extension<Caller>,
) -> Response {
    match caller {
        Caller::Personal(_) => {
            let login = fake.state.lock().unwrap().bot_login.clone();
            Json(json!({"login": login, "id": 7, "type": "User"})).into_response()
        }
        _ => render::error(
            StatusCode::FORBIDDEN,
            "Resource not accessible by integration",
        ),
    }
}

/// `GET /app` with the App's JWT.
pub async fn current_app(AxumState(fake): AxumState<Fake>) -> Response {
    let id = fake
        .state
        .lock()
        .unwrap()
        .app
        .as_ref()
        .map_or(0, |a| a.app_id);
    Json(json!({"id": id, "slug": APP_SLUG, "name": "schemagate"})).into_response()
}
