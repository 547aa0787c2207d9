//! GitHub webhook payloads translated into the [`Work`] they ask for at the
//! edge. The event name comes from the `X-GitHub-Event` header, the sub-type
//! from the payload's `action`. Events and actions the bot does not act on
//! become [`Translated::Ignore`], never an error; a body that is not the JSON
//! its header promises is a [`ParseError`].

use crate::forge::{CommentId, ForgeKind, ItemKind, ItemNumber, ProjectPath};
use crate::work::{MilestoneAction, MilestoneScope, ParseError, Translated, Work};
use serde::Deserialize;
use serde::de::{DeserializeOwned, IgnoredAny};
use serde_json::Value;

/// The header that names the event.
pub const EVENT_HEADER: &str = "X-GitHub-Event";
/// The header that names one delivery (the same on redelivery).
pub const DELIVERY_HEADER: &str = "X-GitHub-Delivery";

#[derive(Deserialize)]
struct Repository {
    full_name: String,
}

impl Repository {
    fn path(self) -> ProjectPath {
        ProjectPath(self.full_name)
    }
}

#[derive(Deserialize)]
struct PullRequestPayload {
    number: u64,
    /// Read for its presence: a `pull_request` event without one is malformed.
    #[allow(dead_code)]
    pull_request: IgnoredAny,
    repository: Repository,
}

#[derive(Deserialize)]
struct IssueBody {
    number: u64,
    #[serde(default)]
    pull_request: Option<Value>,
}

#[derive(Deserialize)]
struct IssuesPayload {
    issue: IssueBody,
    repository: Repository,
}

#[derive(Deserialize)]
struct MilestoneBody {
    title: String,
}

#[derive(Deserialize)]
struct MilestonePayload {
    milestone: MilestoneBody,
    repository: Repository,
}

#[derive(Deserialize)]
struct User {
    login: String,
}

#[derive(Deserialize)]
struct CommentBody {
    /// Optional so that a payload without it still queues its comment, as
    /// it did before reactions needed the id.
    id: Option<u64>,
    body: Option<String>,
    user: User,
}

#[derive(Deserialize)]
struct CommentPayload {
    issue: IssueBody,
    comment: CommentBody,
    repository: Repository,
}

/// Translates one delivery. `event` is the `X-GitHub-Event` header value.
pub fn parse_event(event: &str, body: &[u8]) -> Result<Translated, ParseError> {
    let value: Value = serde_json::from_slice(body).map_err(|e| ParseError {
        event: event.to_string(),
        reason: format!("the body is not JSON: {e}"),
    })?;
    if !value.is_object() {
        return Err(malformed(event, "the body is not a JSON object"));
    }
    let action = value
        .get("action")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    match event {
        "pull_request" => pull_request(&action, value),
        "issues" => issues(&action, value),
        "milestone" => milestone(&action, value),
        "issue_comment" => issue_comment(&action, value),
        "ping" => Ok(Translated::Pong),
        // Which repositories an App may see is the config's business: an
        // installation's changes need no work.
        other => Ok(ignored(other, &action)),
    }
}

fn malformed(event: &str, reason: &str) -> ParseError {
    ParseError {
        event: event.to_string(),
        reason: reason.to_string(),
    }
}

fn typed<T: DeserializeOwned>(event: &str, value: Value) -> Result<T, ParseError> {
    serde_json::from_value(value).map_err(|e| malformed(event, &e.to_string()))
}

fn ignored(event: &str, action: &str) -> Translated {
    let reason = if action.is_empty() {
        format!("GitHub event {event} is not one schemagate acts on")
    } else {
        format!("GitHub event {event}.{action} is not one schemagate acts on")
    };
    Translated::Ignore(reason)
}

/// A pull request or issue to evaluate again.
fn evaluate(repository: Repository, kind: ItemKind, number: u64) -> Translated {
    Translated::Queue(Work::Evaluate {
        forge: ForgeKind::GitHub,
        project: repository.path(),
        kind,
        number: ItemNumber(number),
    })
}

/// Opening, pushing, editing, labelling, milestoning, readiness, closing
/// and merging all change what the gate decides.
fn pull_request(action: &str, value: Value) -> Result<Translated, ParseError> {
    match action {
        "opened" | "reopened" | "synchronize" | "edited" | "labeled" | "unlabeled"
        | "milestoned" | "demilestoned" | "ready_for_review" | "converted_to_draft" | "closed" => {
            let payload: PullRequestPayload = typed("pull_request", value)?;
            Ok(evaluate(
                payload.repository,
                ItemKind::MergeRequest,
                payload.number,
            ))
        }
        other => Ok(ignored("pull_request", other)),
    }
}

fn issues(action: &str, value: Value) -> Result<Translated, ParseError> {
    match action {
        "opened" | "closed" | "reopened" | "edited" | "labeled" | "unlabeled" | "milestoned"
        | "demilestoned" => {
            let payload: IssuesPayload = typed("issues", value)?;
            Ok(evaluate(
                payload.repository,
                ItemKind::Issue,
                payload.issue.number,
            ))
        }
        other => Ok(ignored("issues", other)),
    }
}

fn milestone(action: &str, value: Value) -> Result<Translated, ParseError> {
    let milestone_action = match action {
        "created" => MilestoneAction::Created,
        // GitHub's "opened" is a closed milestone opened again.
        "opened" => MilestoneAction::Reopened,
        "edited" => MilestoneAction::Edited,
        "closed" => MilestoneAction::Closed,
        "deleted" => MilestoneAction::Deleted,
        other => return Ok(ignored("milestone", other)),
    };
    let payload: MilestonePayload = typed("milestone", value)?;
    Ok(Translated::Queue(Work::MilestoneChanged {
        forge: ForgeKind::GitHub,
        scope: MilestoneScope::Project(payload.repository.path()),
        title: payload.milestone.title,
        action: milestone_action,
    }))
}

fn issue_comment(action: &str, value: Value) -> Result<Translated, ParseError> {
    let edited = match action {
        "created" => false,
        "edited" => true,
        other => return Ok(ignored("issue_comment", other)),
    };
    let payload: CommentPayload = typed("issue_comment", value)?;
    let kind = if payload.issue.pull_request.is_some() {
        ItemKind::MergeRequest
    } else {
        ItemKind::Issue
    };
    Ok(Translated::Queue(Work::Comment {
        forge: ForgeKind::GitHub,
        project: payload.repository.path(),
        kind,
        number: ItemNumber(payload.issue.number),
        author: payload.comment.user.login,
        body: payload.comment.body.unwrap_or_default(),
        edited,
        comment_id: payload.comment.id.map(CommentId),
    }))
}
