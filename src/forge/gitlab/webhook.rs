//! GitLab webhooks at the edge: checks `X-Gitlab-Token` in constant time and
//! turns a delivery into the [`Work`] it asks for. Events the bot does not
//! act on become [`Translated::Ignore`], never an error; a body that is not
//! the JSON its `X-Gitlab-Event` header promises is a [`ParseError`].

use crate::forge::{CommentId, ForgeKind, ItemKind, ItemNumber, ProjectPath};
use crate::work::{MilestoneAction, MilestoneScope, ParseError, Translated, Work};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// The header naming the event, e.g. `Merge Request Hook`.
pub const EVENT_HEADER: &str = "X-Gitlab-Event";
/// The header carrying the webhook's secret token verbatim.
pub const TOKEN_HEADER: &str = "X-Gitlab-Token";
/// The header with a unique id per delivery (used to drop duplicates).
pub const DELIVERY_HEADER: &str = "X-Gitlab-Webhook-UUID";

/// Whether the `X-Gitlab-Token` value matches the configured secret. Both
/// sides are hashed first so neither the content nor the length of the
/// secret leaks through timing.
pub fn token_matches(expected: &str, given: Option<&str>) -> bool {
    let Some(given) = given else {
        return false;
    };
    let expected = Sha256::digest(expected.as_bytes());
    let given = Sha256::digest(given.as_bytes());
    bool::from(expected.as_slice().ct_eq(given.as_slice()))
}

/// Translates one delivery. `event_header` is the `X-Gitlab-Event` value.
pub fn parse(event_header: &str, body: &[u8]) -> Result<Translated, ParseError> {
    match event_header {
        "Merge Request Hook" => merge_request(decode(event_header, body)?),
        "Issue Hook" => issue(decode(event_header, body)?),
        "Note Hook" => note(decode(event_header, body)?),
        "Milestone Hook" => milestone(decode(event_header, body)?),
        other => {
            // Still refuse bodies that are not JSON at all: GitLab never sends those.
            serde_json::from_slice::<serde::de::IgnoredAny>(body)
                .map_err(|error| parse_error(other, error))?;
            Ok(ignored(format!("GitLab event {other:?} is not used")))
        }
    }
}

fn decode<T: DeserializeOwned>(event: &str, body: &[u8]) -> Result<T, ParseError> {
    serde_json::from_slice(body).map_err(|error| parse_error(event, error))
}

fn parse_error(event: &str, error: impl std::fmt::Display) -> ParseError {
    ParseError {
        event: event.to_string(),
        reason: error.to_string(),
    }
}

fn ignored(reason: impl Into<String>) -> Translated {
    Translated::Ignore(reason.into())
}

/// An MR or issue to evaluate again.
fn evaluate(project: Project, kind: ItemKind, number: u64) -> Translated {
    Translated::Queue(Work::Evaluate {
        forge: ForgeKind::GitLab,
        project: ProjectPath(project.path_with_namespace),
        kind,
        number: ItemNumber(number),
    })
}

#[derive(Deserialize)]
struct Project {
    path_with_namespace: String,
}

#[derive(Deserialize)]
struct User {
    username: String,
}

#[derive(Deserialize)]
struct MergeRequestHook {
    project: Project,
    object_attributes: MergeRequestAttributes,
}

#[derive(Deserialize)]
struct MergeRequestAttributes {
    iid: u64,
    action: Option<String>,
}

/// Opening, reopening, pushing, editing, closing and merging all change
/// what the gate decides; approvals and the like do not.
fn merge_request(hook: MergeRequestHook) -> Result<Translated, ParseError> {
    let attributes = hook.object_attributes;
    Ok(match attributes.action.as_deref() {
        Some("open" | "reopen" | "update" | "close" | "merge") | None => {
            evaluate(hook.project, ItemKind::MergeRequest, attributes.iid)
        }
        Some(other) => ignored(format!("merge request action {other:?} is not used")),
    })
}

#[derive(Deserialize)]
struct IssueHook {
    object_kind: String,
    project: Option<Project>,
    object_attributes: IssueAttributes,
}

#[derive(Deserialize)]
struct IssueAttributes {
    iid: u64,
    action: Option<String>,
}

fn issue(hook: IssueHook) -> Result<Translated, ParseError> {
    let Some(project) = hook.project else {
        // Group-level work items (epics) belong to no project.
        return Ok(ignored(format!("{} without a project", hook.object_kind)));
    };
    Ok(match hook.object_attributes.action.as_deref() {
        Some("open" | "close" | "reopen" | "update") | None => {
            evaluate(project, ItemKind::Issue, hook.object_attributes.iid)
        }
        Some(other) => ignored(format!("issue action {other:?} is not used")),
    })
}

#[derive(Deserialize)]
struct NoteHook {
    project: Project,
    user: User,
    object_attributes: NoteAttributes,
    merge_request: Option<Numbered>,
    issue: Option<Numbered>,
}

#[derive(Deserialize)]
struct NoteAttributes {
    /// The note's id; optional so that a payload without it still queues
    /// its comment, as it did before reactions needed the id.
    id: Option<u64>,
    note: String,
    noteable_type: String,
    /// `create` or `update`; absent before GitLab 16.11.
    action: Option<String>,
}

#[derive(Deserialize)]
struct Numbered {
    iid: u64,
}

fn note(hook: NoteHook) -> Result<Translated, ParseError> {
    let attributes = hook.object_attributes;
    let (kind, item) = match attributes.noteable_type.as_str() {
        "MergeRequest" => (ItemKind::MergeRequest, hook.merge_request),
        "Issue" => (ItemKind::Issue, hook.issue),
        other => return Ok(ignored(format!("comment on a {other} is not used"))),
    };
    let Some(item) = item else {
        return Err(parse_error(
            "Note Hook",
            format!(
                "a comment on a {} without its item",
                attributes.noteable_type
            ),
        ));
    };
    Ok(Translated::Queue(Work::Comment {
        forge: ForgeKind::GitLab,
        project: ProjectPath(hook.project.path_with_namespace),
        kind,
        number: ItemNumber(item.iid),
        author: hook.user.username,
        body: attributes.note,
        edited: attributes.action.as_deref() == Some("update"),
        comment_id: attributes.id.map(CommentId),
    }))
}

#[derive(Deserialize)]
struct MilestoneHook {
    /// GitLab 18.2+ sends `action` at the top level.
    action: Option<String>,
    project: Option<Project>,
    group: Option<Group>,
    object_attributes: MilestoneAttributes,
}

#[derive(Deserialize)]
struct Group {
    full_path: String,
}

#[derive(Deserialize)]
struct MilestoneAttributes {
    title: String,
    /// Where the docs' text puts it; used when the top-level one is missing.
    action: Option<String>,
    group_id: Option<u64>,
}

fn milestone(hook: MilestoneHook) -> Result<Translated, ParseError> {
    let attributes = hook.object_attributes;
    let action = match hook.action.or(attributes.action).as_deref() {
        Some("create") => MilestoneAction::Created,
        Some("close") => MilestoneAction::Closed,
        Some("reopen") => MilestoneAction::Reopened,
        Some("update") => MilestoneAction::Edited,
        Some("delete") | Some("deleted") => MilestoneAction::Deleted,
        Some(other) => return Ok(ignored(format!("milestone action {other:?} is not used"))),
        None => return Err(parse_error("Milestone Hook", "no action")),
    };
    let scope = match (attributes.group_id, hook.group, hook.project) {
        (Some(_), Some(group), _) => MilestoneScope::Group(group.full_path),
        (_, _, Some(project)) => MilestoneScope::Project(ProjectPath(project.path_with_namespace)),
        (_, Some(group), None) => MilestoneScope::Group(group.full_path),
        (_, None, None) => {
            return Err(parse_error(
                "Milestone Hook",
                "neither a project nor a group",
            ));
        }
    };
    Ok(Translated::Queue(Work::MilestoneChanged {
        forge: ForgeKind::GitLab,
        scope,
        title: attributes.title,
        action,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_configured_token_is_accepted_and_others_are_not() {
        assert!(token_matches("s3cret", Some("s3cret")));
        assert!(!token_matches("s3cret", Some("s3cret ")));
        assert!(!token_matches("s3cret", Some("")));
        assert!(!token_matches("s3cret", None));
    }

    #[test]
    fn unknown_events_are_ignored_not_errors() {
        let event = parse("Push Hook", br#"{"object_kind":"push"}"#).unwrap();
        assert!(matches!(event, Translated::Ignore(_)));
    }

    #[test]
    fn bodies_that_are_not_json_are_parse_errors_even_for_unknown_events() {
        assert!(parse("Push Hook", b"not json").is_err());
        let error = parse("Merge Request Hook", b"{\"project\":").unwrap_err();
        assert_eq!(error.event, "Merge Request Hook");
    }
}
