//! `Work::Comment`: a comment was added to an MR or issue, or edited. The
//! gate's decisions read no comment, so a comment asks nothing of the bot
//! beyond knowing its project; it arrives typed (author, body, whether it
//! is an edit, the comment's id to react to) so that reading one is a
//! change to this handler alone.

use crate::engine::failure::Step;
use crate::engine::project::ProjectContext;
use crate::forge::{CommentId, ItemKind, ItemNumber};

/// A comment on one item of `project`.
pub(super) struct Comment<'w> {
    pub kind: ItemKind,
    pub number: ItemNumber,
    pub author: &'w str,
    pub body: &'w str,
    pub edited: bool,
    /// `None` for a comment queued before the id was carried.
    pub id: Option<CommentId>,
}

pub(super) fn run(project: &ProjectContext<'_>, comment: &Comment<'_>) -> Step<()> {
    tracing::debug!(
        project = %project.path(),
        item = %crate::core::ids::item_reference(project.kind, comment.kind, comment.number),
        author = comment.author,
        comment = comment.id.map(|id| id.0),
        edited = comment.edited,
        bytes = comment.body.len(),
        "comment read; no decision depends on comments"
    );
    Ok(())
}
