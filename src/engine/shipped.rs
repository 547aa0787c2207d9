//! What a release shipped: the database changes recorded in its milestone
//! that the forge says were merged (MRs) or closed (issues). The release
//! notice names only these, never an MR still open when the release closed
//! (the bot carries that one to the next batch, whose mails name it). The
//! forge is asked rather than the store's last record, so a merge whose
//! webhook is late or lost still counts, and the notice says the same
//! whether it is composed before or after the carry-over.

use super::Engine;
use super::failure::{Failure, Step};
use super::plan::item_reference;
use super::project::ProjectContext;
use crate::core::policy::{DbItemRef, ProjectState};
use crate::core::types::MilestoneId;
use crate::forge::{ForgeError, ItemKind, ItemState};
use tokio::task::JoinSet;

impl Engine {
    /// The database changes recorded in `milestone` that shipped with it,
    /// in the store's order. One read per recorded change, all at once.
    pub(super) async fn shipped_changes(
        &self,
        project: &ProjectContext<'_>,
        state: &ProjectState,
        milestone: MilestoneId,
    ) -> Step<Vec<DbItemRef>> {
        let recorded: Vec<DbItemRef> = state.db_changes_in(milestone).cloned().collect();
        let mut reads = JoinSet::new();
        for (index, change) in recorded.iter().enumerate() {
            let forge = project.forge.clone();
            let path = project.path().clone();
            let (kind, number) = (change.kind, change.number);
            reads.spawn(async move {
                let state = match kind {
                    ItemKind::MergeRequest => {
                        forge.merge_request(&path, number).await.map(|m| m.state)
                    }
                    ItemKind::Issue => forge.issue(&path, number).await.map(|i| i.state),
                };
                (index, state)
            });
        }
        let mut shipped = vec![false; recorded.len()];
        while let Some(joined) = reads.join_next().await {
            let (index, read) =
                joined.map_err(|e| Failure::Unrunnable(format!("a forge read panicked: {e}")))?;
            let change = &recorded[index];
            shipped[index] = match read {
                Ok(state) => has_shipped(change.kind, state),
                // Deleted since: nothing of it shipped that anyone can name.
                Err(ForgeError::NotFound(_)) => false,
                Err(error) => {
                    let doing = format!(
                        "reading {}",
                        item_reference(project.kind, change.kind, change.number)
                    );
                    return Err(self.forge_error(project, &error, &doing));
                }
            };
        }
        Ok(recorded
            .into_iter()
            .zip(shipped)
            .filter_map(|(change, shipped)| shipped.then_some(change))
            .collect())
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
