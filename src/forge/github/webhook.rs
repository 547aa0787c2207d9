//! GitHub webhook payloads translated into the forge-neutral [`Event`] at
//! the edge. The event name comes from the `X-GitHub-Event` header, the
//! sub-type from the payload's `action`. Events and actions the bot does not
//! act on become [`Event::Ignored`], never an error; a body that is not the
//! JSON its header promises is a [`ParseError`].

use crate::core::types::MilestoneId;
use crate::forge::event::{
    Event, IssueAction, MergeRequestAction, MilestoneAction, MilestoneScope, ParseError,
};
use crate::forge::{CommitSha, ItemKind, ItemNumber, ProjectPath};
use serde::Deserialize;
use serde::de::DeserializeOwned;
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
struct Head {
    sha: String,
}

#[derive(Deserialize)]
struct PullRequestBody {
    head: Head,
    #[serde(default)]
    merged: Option<bool>,
    #[serde(default)]
    merged_at: Option<String>,
}

#[derive(Deserialize)]
struct PullRequestPayload {
    number: u64,
    pull_request: PullRequestBody,
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
    number: u64,
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
    body: Option<String>,
    user: User,
}

#[derive(Deserialize)]
struct CommentPayload {
    issue: IssueBody,
    comment: CommentBody,
    repository: Repository,
}

#[derive(Deserialize)]
struct PingPayload {
    #[serde(default)]
    repository: Option<Repository>,
}

#[derive(Deserialize)]
struct InstallationPayload {
    #[serde(default)]
    repositories: Option<Vec<Repository>>,
    #[serde(default)]
    repositories_added: Option<Vec<Repository>>,
    #[serde(default)]
    repositories_removed: Option<Vec<Repository>>,
}

/// Translates one delivery. `event` is the `X-GitHub-Event` header value.
pub fn parse_event(event: &str, body: &[u8]) -> Result<Event, ParseError> {
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
        "ping" => Ok(Event::Ping {
            project: typed::<PingPayload>(event, value)?
                .repository
                .map(Repository::path),
        }),
        "installation" | "installation_repositories" => installation(event, &action, value),
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

fn ignored(event: &str, action: &str) -> Event {
    let reason = if action.is_empty() {
        format!("GitHub event {event} is not one schemagate acts on")
    } else {
        format!("GitHub event {event}.{action} is not one schemagate acts on")
    };
    Event::Ignored { reason }
}

fn pull_request(action: &str, value: Value) -> Result<Event, ParseError> {
    let (merge_action, code_changed) = match action {
        "opened" => (MergeRequestAction::Opened, true),
        "reopened" => (MergeRequestAction::Reopened, true),
        "synchronize" => (MergeRequestAction::Updated, true),
        "edited" | "labeled" | "unlabeled" | "milestoned" | "demilestoned" | "ready_for_review"
        | "converted_to_draft" => (MergeRequestAction::Updated, false),
        "closed" => {
            let payload: PullRequestPayload = typed("pull_request", value)?;
            let pull = &payload.pull_request;
            return Ok(Event::MergeRequestClosed {
                project: payload.repository.path(),
                number: ItemNumber(payload.number),
                merged: pull.merged.unwrap_or(pull.merged_at.is_some()),
            });
        }
        other => return Ok(ignored("pull_request", other)),
    };
    let payload: PullRequestPayload = typed("pull_request", value)?;
    Ok(Event::MergeRequestChanged {
        project: payload.repository.path(),
        number: ItemNumber(payload.number),
        action: merge_action,
        code_changed,
        head_sha: Some(CommitSha(payload.pull_request.head.sha)),
    })
}

fn issues(action: &str, value: Value) -> Result<Event, ParseError> {
    let issue_action = match action {
        "opened" => IssueAction::Opened,
        "closed" => IssueAction::Closed,
        "reopened" => IssueAction::Reopened,
        "edited" | "labeled" | "unlabeled" | "milestoned" | "demilestoned" => IssueAction::Updated,
        other => return Ok(ignored("issues", other)),
    };
    let payload: IssuesPayload = typed("issues", value)?;
    Ok(Event::IssueChanged {
        project: payload.repository.path(),
        number: ItemNumber(payload.issue.number),
        action: issue_action,
    })
}

fn milestone(action: &str, value: Value) -> Result<Event, ParseError> {
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
    Ok(Event::MilestoneChanged {
        scope: MilestoneScope::Project(payload.repository.path()),
        milestone: MilestoneId(payload.milestone.number),
        title: payload.milestone.title,
        action: milestone_action,
    })
}

fn issue_comment(action: &str, value: Value) -> Result<Event, ParseError> {
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
    Ok(Event::CommentAdded {
        project: payload.repository.path(),
        kind,
        number: ItemNumber(payload.issue.number),
        author: payload.comment.user.login,
        body: payload.comment.body.unwrap_or_default(),
        edited,
    })
}

fn installation(event: &str, action: &str, value: Value) -> Result<Event, ParseError> {
    let payload: InstallationPayload = typed(event, value)?;
    let projects = [
        payload.repositories,
        payload.repositories_added,
        payload.repositories_removed,
    ]
    .into_iter()
    .flatten()
    .flatten()
    .map(Repository::path)
    .collect();
    Ok(Event::Installation {
        action: action.to_string(),
        projects,
    })
}
