//! Evaluating one MR: fetch it (a deleted one is forgotten), its detected
//! migrations (cached per head commit), then the shared evaluation path.

use super::Engine;
use super::evaluate::{Evaluated, Extra, FollowUps, Prepared};
use super::events::EncodedWork;
use super::failure::{Failure, Step};
use super::project::ProjectContext;
use super::subject::Subject;
use crate::forge::{ForgeError, ItemKind, ItemNumber, MergeRequest};

impl Engine {
    /// Reads the MR (unless `listed` already holds it) and decides.
    pub(super) async fn prepare_merge_request(
        &self,
        project: &ProjectContext<'_>,
        number: ItemNumber,
        listed: Option<MergeRequest>,
    ) -> Step<Result<Prepared, FollowUps>> {
        let mr = match listed {
            Some(mr) => mr,
            None => match project.forge.merge_request(project.path(), number).await {
                Ok(mr) => mr,
                Err(ForgeError::NotFound(_)) => {
                    return Ok(Err(self
                        .forget(project, ItemKind::MergeRequest, number)
                        .await?));
                }
                Err(e) => {
                    return Err(self.forge_error(project, &e, &format!("reading MR {number}")));
                }
            },
        };
        let key = project.item_key(ItemKind::MergeRequest, number);
        let record = self.store.item(&key).await?.unwrap_or_default();
        let matches = self.detect(project, &mr, record.matches.as_ref()).await?;
        let extra = Extra {
            matches: Some(matches),
            reason: None,
            closing_merge_requests: Vec::new(),
        };
        Ok(Ok(self
            .prepare(project, Subject::MergeRequest(mr), record, extra)
            .await?))
    }

    /// Evaluates and applies; `Err(Failure::Unrunnable)` when the MR is gone, with
    /// the follow-ups of forgetting it already returned in `Ok`.
    pub(super) async fn evaluate_merge_request(
        &self,
        project: &ProjectContext<'_>,
        number: ItemNumber,
        listed: Option<MergeRequest>,
    ) -> Step<Result<Evaluated, FollowUps>> {
        match self.prepare_merge_request(project, number, listed).await? {
            Ok(prepared) => Ok(Ok(self.commit(project, prepared).await?)),
            Err(gone) => Ok(Err(gone)),
        }
    }

    /// Forgets a deleted item; its batch block and the issues it closed
    /// must follow.
    pub(super) async fn forget(
        &self,
        project: &ProjectContext<'_>,
        kind: ItemKind,
        number: ItemNumber,
    ) -> Step<FollowUps> {
        let key = project.item_key(kind, number);
        let record = self.store.item(&key).await?.unwrap_or_default();
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
        let work = super::events::follow_up_work(project, &follow_ups);
        let encoded = EncodedWork::new(&work);
        let jobs = encoded.jobs();
        self.store.delete_item_with_jobs(&key, &jobs).await?;
        Ok(follow_ups)
    }
}

/// The reason a job ends when its item no longer exists.
pub(super) fn gone(kind: ItemKind, number: ItemNumber) -> Failure {
    let noun = match kind {
        ItemKind::MergeRequest => "merge request",
        ItemKind::Issue => "issue",
    };
    Failure::Unrunnable(format!("{noun} {number} no longer exists on the forge"))
}
