//! Preparing one MR: read it (a deleted one is forgotten), its detected
//! migrations (cached per head commit), then the shared decision.

use crate::engine::conflicts::{Peers, migration_conflicts, peers_to_tell};
use crate::engine::failure::Step;
use crate::engine::pipeline::decide::{self, Extra, Prepared};
use crate::engine::pipeline::detect::detect;
use crate::engine::pipeline::read::{Found, read_or_forget};
use crate::engine::pipeline::subject::Subject;
use crate::engine::project::ProjectContext;
use crate::forge::{ItemKind, ItemNumber, MergeRequest};

/// Reads the MR (unless `listed` already holds it) and decides.
pub(crate) async fn prepare(
    project: &ProjectContext<'_>,
    number: ItemNumber,
    listed: Option<MergeRequest>,
) -> Step<Found<Prepared>> {
    let read = || project.forge.merge_request(project.path(), number);
    let found = read_or_forget(project, ItemKind::MergeRequest, number, listed, read).await?;
    found
        .then(|mr| async move {
            let key = project.item_key(ItemKind::MergeRequest, number);
            let record = project.store().item(&key).await?.unwrap_or_default();
            let matches = detect(project, &mr, record.matches.as_ref()).await?;
            let conflicts =
                migration_conflicts(project, &mr, &matches.matches, Peers::OpenMergeRequests)
                    .await?;
            let peers_to_tell = peers_to_tell(project, &mr, &matches.matches).await?;
            let extra = Extra {
                matches: Some(matches),
                reason: None,
                closing_merge_requests: Vec::new(),
                steering: None,
                conflicts,
                peers_to_tell,
            };
            decide::prepare(project, Subject::MergeRequest(mr), record, extra).await
        })
        .await
}
