//! What a release shipped: the database changes recorded in its milestone
//! that the forge says were merged (MRs) or closed (issues). The release
//! notice names only these, never an MR still open when the release closed
//! (the bot carries that one to the next batch, whose mails name it). The
//! forge is asked rather than the store's last record, so a merge whose
//! webhook is late or lost still counts, and the notice says the same
//! whether it is composed before or after the carry-over.

use crate::core::policy::{DbItemRef, ProjectState};
use crate::core::types::MilestoneId;
use crate::engine::access::forge_error;
use crate::engine::failure::Step;
use crate::engine::plan::item_reference;
use crate::engine::project::ProjectContext;
use crate::forge::{ForgeError, ItemKind, ItemState};
use futures_util::{StreamExt, TryStreamExt, stream};

/// How many items are read at once: one wave for an ordinary release, and
/// no flood of requests for one with hundreds of changes.
const READS_AT_ONCE: usize = 16;

/// The database changes recorded in `milestone` that shipped with it,
/// in the store's order. One read per recorded change, in one wave.
pub(crate) async fn shipped_changes(
    project: &ProjectContext<'_>,
    state: &ProjectState,
    milestone: MilestoneId,
) -> Step<Vec<DbItemRef>> {
    let reads: Vec<_> = state
        .db_changes_in(milestone)
        .map(|change| if_shipped(project, change))
        .collect();
    let shipped: Vec<Option<DbItemRef>> = stream::iter(reads)
        .buffered(READS_AT_ONCE)
        .try_collect()
        .await?;
    Ok(shipped.into_iter().flatten().collect())
}

/// `change` when the forge says it shipped, else `None`.
async fn if_shipped(project: &ProjectContext<'_>, change: &DbItemRef) -> Step<Option<DbItemRef>> {
    let path = project.path();
    let read = match change.kind {
        ItemKind::MergeRequest => project
            .forge
            .merge_request(path, change.number)
            .await
            .map(|mr| mr.state),
        ItemKind::Issue => project
            .forge
            .issue(path, change.number)
            .await
            .map(|issue| issue.state),
    };
    match read {
        Ok(state) => Ok(has_shipped(change.kind, state).then(|| change.clone())),
        // Deleted since: nothing of it shipped that anyone can name.
        Err(ForgeError::NotFound(_)) => Ok(None),
        Err(error) => {
            let reference = item_reference(project.kind, change.kind, change.number);
            Err(forge_error(
                project,
                &error,
                &format!("reading {reference}"),
            ))
        }
    }
}

/// A merged MR shipped its migrations; an issue shipped when it was closed
/// (the work it planned is done). An open item, or an MR closed unmerged,
/// did not.
fn has_shipped(kind: ItemKind, state: ItemState) -> bool {
    match kind {
        ItemKind::MergeRequest => state == ItemState::Merged,
        ItemKind::Issue => state != ItemState::Open,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_merged_requests_and_closed_issues_shipped() {
        assert!(has_shipped(ItemKind::MergeRequest, ItemState::Merged));
        assert!(!has_shipped(ItemKind::MergeRequest, ItemState::Open));
        assert!(!has_shipped(ItemKind::MergeRequest, ItemState::Closed));
        assert!(has_shipped(ItemKind::Issue, ItemState::Closed));
        assert!(!has_shipped(ItemKind::Issue, ItemState::Open));
    }
}
