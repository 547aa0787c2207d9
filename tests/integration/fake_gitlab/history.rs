//! The fake GitLab's resource label and milestone events: every change to
//! an MR's or issue's labels or milestone, by the API (the token's user) or
//! by a person through the helpers, served as
//! `GET …/{merge_requests,issues}/:iid/resource_{label,milestone}_events`.

use super::routes::{Params, Shared, not_found, paginate, project_id};
use super::state::{Noteable, State};
use axum::extract::{Path, Query, State as AxumState};
use axum::http::Uri;
use axum::response::Response;
use serde_json::{Value, json};

/// The account a person's edits in the tests are made by.
pub const PERSON: &str = "alice";

#[derive(Debug, Clone)]
pub enum Changed {
    Label { name: String, added: bool },
    Milestone { id: u64, added: bool },
}

#[derive(Debug, Clone)]
pub struct HistoryEntry {
    pub id: u64,
    pub project_id: u64,
    pub noteable: Noteable,
    pub iid: u64,
    pub actor: String,
    pub at: chrono::DateTime<chrono::Utc>,
    pub change: Changed,
}

/// Labels and milestone of an item, before or after an edit.
pub type Marks = (Vec<String>, Option<u64>);

impl State {
    /// Records what changed between `before` and `after` as `actor`'s events.
    pub fn record_history(
        &mut self,
        noteable: Noteable,
        project_id: u64,
        iid: u64,
        before: &Marks,
        after: &Marks,
        actor: &str,
    ) {
        let mut changes = Vec::new();
        for label in after.0.iter().filter(|l| !before.0.contains(l)) {
            changes.push(Changed::Label {
                name: label.clone(),
                added: true,
            });
        }
        for label in before.0.iter().filter(|l| !after.0.contains(l)) {
            changes.push(Changed::Label {
                name: label.clone(),
                added: false,
            });
        }
        if before.1 != after.1 {
            if let Some(id) = before.1 {
                changes.push(Changed::Milestone { id, added: false });
            }
            if let Some(id) = after.1 {
                changes.push(Changed::Milestone { id, added: true });
            }
        }
        for change in changes {
            // Strictly increasing times: two edits in one millisecond keep their order.
            let now = chrono::Utc::now();
            let at = match self.history.last() {
                Some(last) if last.at >= now => last.at + chrono::Duration::milliseconds(1),
                _ => now,
            };
            let id = self.next_id();
            self.history.push(HistoryEntry {
                id,
                project_id,
                noteable,
                iid,
                actor: actor.to_string(),
                at,
                change,
            });
        }
    }
}

fn user_json(username: &str) -> Value {
    json!({"id": 7, "name": username, "username": username, "state": "active",
           "web_url": format!("https://gitlab.example/{username}")})
}

fn entry_json(state: &State, entry: &HistoryEntry) -> Value {
    let resource_type = match entry.noteable {
        Noteable::MergeRequest => "MergeRequest",
        Noteable::Issue => "Issue",
    };
    let mut value = json!({
        "id": entry.id,
        "user": user_json(&entry.actor),
        "created_at": entry.at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        "resource_type": resource_type,
        "resource_id": entry.iid + 5000,
    });
    match &entry.change {
        Changed::Label { name, added } => {
            let label = state
                .labels
                .iter()
                .find(|l| l.project_id == entry.project_id && l.name == *name);
            value["label"] = json!({
                "id": label.map_or(0, |l| l.id),
                "name": name,
                "color": label.map_or("#428BCA".to_string(), |l| l.color.clone()),
                "description": null,
            });
            value["action"] = json!(if *added { "add" } else { "remove" });
        }
        Changed::Milestone { id, added } => {
            let m = state.milestone(*id);
            value["milestone"] = json!({
                "id": id,
                "iid": m.map_or(0, |m| m.iid),
                "project_id": m.and_then(|m| m.project_id),
                "title": m.map_or(String::new(), |m| m.title.clone()),
                "state": m.map_or("active".to_string(), |m| m.state.clone()),
            });
            value["action"] = json!(if *added { "add" } else { "remove" });
            value["state"] = json!("active");
        }
    }
    value
}

fn events(
    s: &Shared,
    id: &str,
    noteable: Noteable,
    iid: u64,
    labels: bool,
    q: &std::collections::HashMap<String, String>,
    uri: &Uri,
) -> Response {
    let s = s.lock().unwrap();
    let Some(pid) = project_id(&s, id) else {
        return not_found("Project");
    };
    let items = s
        .history
        .iter()
        .filter(|e| e.project_id == pid && e.noteable == noteable && e.iid == iid)
        .filter(|e| matches!(e.change, Changed::Label { .. }) == labels)
        .map(|e| entry_json(&s, e))
        .collect();
    paginate(items, q, uri, &super::routes::base(&s))
}

pub async fn mr_label_events(
    AxumState(s): AxumState<Shared>,
    Path((id, iid)): Path<(String, u64)>,
    Query(q): Params,
    uri: Uri,
) -> Response {
    events(&s, &id, Noteable::MergeRequest, iid, true, &q, &uri)
}

pub async fn mr_milestone_events(
    AxumState(s): AxumState<Shared>,
    Path((id, iid)): Path<(String, u64)>,
    Query(q): Params,
    uri: Uri,
) -> Response {
    events(&s, &id, Noteable::MergeRequest, iid, false, &q, &uri)
}

pub async fn issue_label_events(
    AxumState(s): AxumState<Shared>,
    Path((id, iid)): Path<(String, u64)>,
    Query(q): Params,
    uri: Uri,
) -> Response {
    events(&s, &id, Noteable::Issue, iid, true, &q, &uri)
}

pub async fn issue_milestone_events(
    AxumState(s): AxumState<Shared>,
    Path((id, iid)): Path<(String, u64)>,
    Query(q): Params,
    uri: Uri,
) -> Response {
    events(&s, &id, Noteable::Issue, iid, false, &q, &uri)
}
