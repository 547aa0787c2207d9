//! `Work::Comment`: a comment was added to an MR or issue, or edited. The
//! gate's decisions read no comment, so a comment asks nothing of the bot
//! beyond knowing its project; it arrives typed (author, body, whether it
//! is an edit) so that reading one is a change to this handler alone.

use crate::engine::failure::Step;
use crate::engine::project::ProjectContext;
use crate::forge::{ItemKind, ItemNumber};

/// A comment on one item of `project`.
pub(super) struct Comment<'w> {
    pub kind: ItemKind,
    pub number: ItemNumber,
    pub author: &'w str,
    pub body: &'w str,
    pub edited: bool,
}

pub(super) fn run(project: &ProjectContext<'_>, comment: &Comment<'_>) -> Step<()> {
    tracing::debug!(
        project = %project.path(),
        item = %crate::core::ids::item_reference(project.kind, comment.kind, comment.number),
        author = comment.author,
        edited = comment.edited,
        bytes = comment.body.len(),
        "comment read; no decision depends on comments"
    );
    Ok(())
}
