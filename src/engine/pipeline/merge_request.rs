//! Evaluating one MR: fetch it (a deleted one is forgotten), its detected
//! migrations (cached per head commit), then the shared evaluation path.

use crate::engine::access::forge_error;
use crate::engine::failure::{Failure, Step};
use crate::engine::handlers::EncodedWork;
use crate::engine::pipeline::commit::commit;
use crate::engine::pipeline::decide::prepare;
use crate::engine::pipeline::decide::{Evaluated, Extra, FollowUps, Prepared};
use crate::engine::pipeline::detect::detect;
use crate::engine::pipeline::subject::Subject;
use crate::engine::project::ProjectContext;
use crate::forge::{ForgeError, ItemKind, ItemNumber, MergeRequest};

/// Reads the MR (unless `listed` already holds it) and decides.
pub(crate) async fn prepare_merge_request(
    project: &ProjectContext<'_>,
    number: ItemNumber,
    listed: Option<MergeRequest>,
) -> Step<Result<Prepared, FollowUps>> {
    let mr = match listed {
        Some(mr) => mr,
        None => match project.forge.merge_request(project.path(), number).await {
            Ok(mr) => mr,
            Err(ForgeError::NotFound(_)) => {
                return Ok(Err(forget(project, ItemKind::MergeRequest, number).await?));
            }
            Err(e) => {
                return Err(forge_error(project, &e, &format!("reading MR {number}")));
            }
        },
    };
    let key = project.item_key(ItemKind::MergeRequest, number);
    let record = project.engine.store.item(&key).await?.unwrap_or_default();
    let matches = detect(project, &mr, record.matches.as_ref()).await?;
    let extra = Extra {
        matches: Some(matches),
        reason: None,
        closing_merge_requests: Vec::new(),
    };
    Ok(Ok(prepare(
        project,
        Subject::MergeRequest(mr),
        record,
        extra,
    )
    .await?))
}

/// Evaluates and applies; `Err(Failure::Unrunnable)` when the MR is gone, with
/// the follow-ups of forgetting it already returned in `Ok`.
pub(crate) async fn evaluate_merge_request(
    project: &ProjectContext<'_>,
    number: ItemNumber,
    listed: Option<MergeRequest>,
) -> Step<Result<Evaluated, FollowUps>> {
    match prepare_merge_request(project, number, listed).await? {
        Ok(prepared) => Ok(Ok(commit(project, prepared).await?)),
        Err(gone) => Ok(Err(gone)),
    }
}

/// Forgets a deleted item; its batch block and the issues it closed
/// must follow.
pub(crate) async fn forget(
    project: &ProjectContext<'_>,
    kind: ItemKind,
    number: ItemNumber,
) -> Step<FollowUps> {
    let key = project.item_key(kind, number);
    let record = project.engine.store.item(&key).await?.unwrap_or_default();
    let follow_ups = FollowUps {
        milestones: record
            .db_change
            .as_ref()
            .map(|c| c.milestone)
            .into_iter()
            .collect(),
        issues: record.closes,
        // The re-evaluation this implies looks for mails due as well.
        batches_changed: record.db_change.is_some(),
        announcements: Vec::new(),
    };
    let work = crate::engine::handlers::follow_up_work(project, &follow_ups);
    let encoded = EncodedWork::new(&work);
    let jobs = encoded.jobs();
    project
        .engine
        .store
        .delete_item_with_jobs(&key, &jobs)
        .await?;
    Ok(follow_ups)
}

/// The reason a job ends when its item no longer exists.
pub(crate) fn gone(kind: ItemKind, number: ItemNumber) -> Failure {
    let noun = match kind {
        ItemKind::MergeRequest => "merge request",
        ItemKind::Issue => "issue",
    };
    Failure::Unrunnable(format!("{noun} {number} no longer exists on the forge"))
}
