//! `Work::Announce`: send one milestone's warning, update or release notice
//! if it is still due when the job runs (a sync or another job may have
//! sent it, or the batch may have changed since it was queued).

use crate::core::announcements::AnnouncementKind;
use crate::core::types::MilestoneId;
use crate::engine::announce::{Intent, announcement_snapshot, mails_due, send_announcement};
use crate::engine::failure::Step;
use crate::engine::project::ProjectContext;

/// Sends the `kind` mail of `milestone` if it is still due.
pub(super) async fn run(
    project: &ProjectContext<'_>,
    milestone: MilestoneId,
    kind: AnnouncementKind,
) -> Step<()> {
    let snapshot = announcement_snapshot(project).await?;
    let Some(due) = mails_due(project, &snapshot)
        .into_iter()
        .find(|d| d.milestone == milestone && d.kind == kind)
    else {
        tracing::debug!(%milestone, kind = kind.word(), "announcement no longer due");
        return Ok(());
    };
    send_announcement(project, &snapshot, due, Intent::Due)
        .await
        .map(|_| ())
}
