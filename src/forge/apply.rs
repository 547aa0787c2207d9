//! Applies a decided change to one MR or issue with the fewest writes
//! (docs/design.md, API economy: at most one write each for labels+milestone, status, comment;
//! none when nothing changed). The label and milestone delta is the core's
//! decision, sent exactly as decided; status and comment are skipped when
//! the bot's last write already says the same.

use super::rights::Write;
use super::{
    CommentId, CommitSha, CommitStatus, Forge, ForgeError, ItemKind, ItemNumber, ItemUpdate,
    ProjectPath,
};

/// A write that failed, and which one: a refusal then names the right.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{} failed: {error}", write.doing())]
pub struct FailedWrite {
    pub write: Write,
    #[source]
    pub error: ForgeError,
}

impl FailedWrite {
    fn of(write: Write) -> impl FnOnce(ForgeError) -> FailedWrite {
        move |error| FailedWrite { write, error }
    }
}

/// The bot's comment as it was last written (kept in the store).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PostedComment {
    pub id: CommentId,
    pub body: String,
}

/// What the bot itself wrote last time (from the store), so unchanged
/// statuses and comments are not written again.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PreviousWrites {
    pub status: Option<(CommitSha, CommitStatus)>,
    pub comment: Option<PostedComment>,
}

/// The bot's comment as it should read; `body` contains `marker`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DesiredComment {
    pub marker: String,
    pub body: String,
}

/// The writes the decision wants. `None` fields mean "leave alone".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DesiredState {
    /// The label and milestone delta against the item as read, computed
    /// once by the core (`Decision`); empty when nothing changes.
    pub update: ItemUpdate,
    /// The gate status for the MR's head commit.
    pub status: Option<(CommitSha, CommitStatus)>,
    pub comment: Option<DesiredComment>,
}

/// Which writes were made; the engine stores `status` and `comment` as the
/// next call's [`PreviousWrites`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AppliedWrites {
    /// The label/milestone request sent, if one was needed.
    pub item_update: Option<ItemUpdate>,
    pub status_written: bool,
    pub comment_written: bool,
    /// The bot's comment after this call (written now or before).
    pub comment: Option<PostedComment>,
    pub status: Option<(CommitSha, CommitStatus)>,
}

impl AppliedWrites {
    pub fn write_count(&self) -> usize {
        usize::from(self.item_update.is_some())
            + usize::from(self.status_written)
            + usize::from(self.comment_written)
    }
}

/// Applies `desired` to one item, writing only what differs.
pub async fn apply_changes(
    forge: &dyn Forge,
    project: &ProjectPath,
    kind: ItemKind,
    number: ItemNumber,
    previous: &PreviousWrites,
    desired: &DesiredState,
) -> Result<AppliedWrites, FailedWrite> {
    let mut applied = AppliedWrites {
        comment: previous.comment.clone(),
        status: previous.status.clone(),
        ..AppliedWrites::default()
    };

    if !desired.update.is_empty() {
        forge
            .update_item(project, kind, number, &desired.update)
            .await
            .map_err(FailedWrite::of(Write::ItemUpdate))?;
        applied.item_update = Some(desired.update.clone());
    }

    if let Some((sha, status)) = status_to_write(previous, desired) {
        forge
            .set_status(project, sha, status)
            .await
            .map_err(FailedWrite::of(Write::Status))?;
        applied.status_written = true;
        applied.status = Some((sha.clone(), status.clone()));
    }

    if let Some(comment) = comment_to_write(previous, desired) {
        let known = previous.comment.as_ref().map(|posted| posted.id);
        let id = forge
            .upsert_comment(project, kind, number, known, &comment.marker, &comment.body)
            .await
            .map_err(FailedWrite::of(Write::Comment))?;
        applied.comment_written = true;
        applied.comment = Some(PostedComment {
            id,
            body: comment.body.clone(),
        });
    }
    Ok(applied)
}

/// The status [`apply_changes`] writes: the desired one unless it is the
/// one written last time. Shared with dry-run planning so both agree.
pub fn status_to_write<'a>(
    previous: &PreviousWrites,
    desired: &'a DesiredState,
) -> Option<&'a (CommitSha, CommitStatus)> {
    desired
        .status
        .as_ref()
        .filter(|wanted| previous.status.as_ref() != Some(*wanted))
}

/// The comment [`apply_changes`] writes: the desired one unless the posted
/// comment already reads so. Shared with dry-run planning so both agree.
pub fn comment_to_write<'a>(
    previous: &PreviousWrites,
    desired: &'a DesiredState,
) -> Option<&'a DesiredComment> {
    desired.comment.as_ref().filter(|comment| {
        previous
            .comment
            .as_ref()
            .is_none_or(|posted| posted.body != comment.body)
    })
}
