//! Payloads queued by releases before webhooks translated straight into
//! work: `{"work": "event", "forge": …, "event": {"MergeRequestChanged": …}}`.
//! A queue that holds them when the bot is upgraded still runs them, as the
//! work each one meant: the old event's fields are the new work's, under
//! the new work's name (fields the work does not have are not read, and
//! fields the old event did not have take their default: an old comment
//! has no id to react to, `comment_id: None`).

use super::Work;
use serde_json::{Map, Value};

/// The work an old event payload meant; `None` when `text` is not one. An
/// old GitHub App installation event asked for nothing: it is not read, and
/// its job ends as unreadable, which is what running it amounted to.
pub(super) fn from_json(text: &str) -> Option<Work> {
    let wrapped: Map<String, Value> = serde_json::from_str(text).ok()?;
    if wrapped.get("work")?.as_str()? != "event" {
        return None;
    }
    let (name, fields) = wrapped.get("event")?.as_object()?.iter().next()?;
    let (work, kind) = match name.as_str() {
        "MergeRequestChanged" | "MergeRequestClosed" => ("evaluate", Some("merge_request")),
        "IssueChanged" => ("evaluate", Some("issue")),
        "CommentAdded" => ("comment", None),
        "MilestoneChanged" => ("milestone_changed", None),
        _ => return None,
    };
    let mut fields = fields.as_object()?.clone();
    fields.insert("work".into(), work.into());
    fields.insert("forge".into(), wrapped.get("forge")?.clone());
    if let Some(kind) = kind {
        fields.insert("kind".into(), kind.into());
    }
    serde_json::from_value(Value::Object(fields)).ok()
}
