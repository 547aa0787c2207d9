//! Payloads queued by releases before webhooks translated straight into
//! work: `{"work": "event", "forge": …, "event": {"MergeRequestChanged": …}}`.
//! A queue that holds them when the bot is upgraded still runs them, as the
//! work each one meant. Only the fields that work needs are read.

use super::{MilestoneAction, MilestoneScope, Work};
use crate::forge::{ForgeKind, ItemKind, ItemNumber, ProjectPath};
use serde::Deserialize;

#[derive(Deserialize)]
struct Wrapped {
    work: String,
    forge: ForgeKind,
    event: Event,
}

#[derive(Deserialize)]
enum Event {
    MergeRequestChanged {
        project: ProjectPath,
        number: ItemNumber,
    },
    MergeRequestClosed {
        project: ProjectPath,
        number: ItemNumber,
    },
    IssueChanged {
        project: ProjectPath,
        number: ItemNumber,
    },
    CommentAdded {
        project: ProjectPath,
        kind: ItemKind,
        number: ItemNumber,
        author: String,
        body: String,
        edited: bool,
    },
    MilestoneChanged {
        scope: MilestoneScope,
        title: String,
        action: MilestoneAction,
    },
}

/// The work an old event payload meant; `None` when `text` is not one. An
/// old GitHub App installation event asked for nothing: it is not read, and
/// its job ends as unreadable, which is what running it amounted to.
pub(super) fn from_json(text: &str) -> Option<Work> {
    let wrapped: Wrapped = serde_json::from_str(text).ok()?;
    if wrapped.work != "event" {
        return None;
    }
    let forge = wrapped.forge;
    let evaluate = |project, kind, number| Work::Evaluate {
        forge,
        project,
        kind,
        number,
    };
    Some(match wrapped.event {
        Event::MergeRequestChanged { project, number }
        | Event::MergeRequestClosed { project, number } => {
            evaluate(project, ItemKind::MergeRequest, number)
        }
        Event::IssueChanged { project, number } => evaluate(project, ItemKind::Issue, number),
        Event::CommentAdded {
            project,
            kind,
            number,
            author,
            body,
            edited,
        } => Work::Comment {
            forge,
            project,
            kind,
            number,
            author,
            body,
            edited,
        },
        Event::MilestoneChanged {
            scope,
            title,
            action,
        } => Work::MilestoneChanged {
            forge,
            scope,
            title,
            action,
        },
    })
}
