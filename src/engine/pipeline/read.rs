//! Reading an item to evaluate: the one a listing already holds, or a fresh
//! read. An item the forge no longer has is forgotten; the follow-ups of
//! forgetting it (its batch block, the issues it closed) are queued with
//! the deletion, in one transaction.

use crate::engine::access::forge_error;
use crate::engine::failure::{Failure, Step, Unrunnable};
use crate::engine::pipeline::decide::FollowUps;
use crate::engine::project::ProjectContext;
use crate::engine::queue::{EncodedWork, follow_up_work};
use crate::forge::{ForgeError, ItemKind, ItemNumber};
use std::future::Future;

/// An item the forge still has, or the follow-ups of forgetting one it
/// no longer has (which is not an error: a deleted MR simply ends).
#[derive(Debug)]
pub(crate) enum Found<T> {
    Present(T),
    Gone(FollowUps),
}

impl<T> Found<T> {
    /// Continues with the present item; a gone one stays gone.
    pub async fn then<U, F>(self, next: impl FnOnce(T) -> F) -> Step<Found<U>>
    where
        F: Future<Output = Step<U>>,
    {
        match self {
            Found::Present(item) => Ok(Found::Present(next(item).await?)),
            Found::Gone(follow_ups) => Ok(Found::Gone(follow_ups)),
        }
    }
}

/// `listed`, or the item read fresh with `read`; forgotten when gone.
pub(crate) async fn read_or_forget<T, F>(
    project: &ProjectContext<'_>,
    kind: ItemKind,
    number: ItemNumber,
    listed: Option<T>,
    read: impl FnOnce() -> F,
) -> Step<Found<T>>
where
    F: Future<Output = Result<T, ForgeError>>,
{
    if let Some(item) = listed {
        return Ok(Found::Present(item));
    }
    match read().await {
        Ok(item) => Ok(Found::Present(item)),
        Err(ForgeError::NotFound(_)) => Ok(Found::Gone(forget(project, kind, number).await?)),
        Err(error) => {
            let noun = match kind {
                ItemKind::MergeRequest => "MR",
                ItemKind::Issue => "issue",
            };
            Err(forge_error(
                project,
                &error,
                &format!("reading {noun} {number}"),
            ))
        }
    }
}

/// Forgets a deleted item; its batch block and the issues it closed
/// must follow.
async fn forget(
    project: &ProjectContext<'_>,
    kind: ItemKind,
    number: ItemNumber,
) -> Step<FollowUps> {
    let key = project.item_key(kind, number);
    let record = project.store().item(&key).await?.unwrap_or_default();
    let follow_ups = FollowUps {
        milestones: record
            .db_change
            .as_ref()
            .map(|c| c.milestone)
            .into_iter()
            .collect(),
        issues: record.closes,
        // A deleted MR's migrations leave with it.
        merge_requests: record.conflicts_with,
        // The re-evaluation this implies looks for mails due as well.
        batches_changed: record.db_change.is_some(),
        announcements: Vec::new(),
    };
    let work = follow_up_work(project, &follow_ups);
    let encoded = EncodedWork::new(&work);
    let jobs = encoded.jobs();
    project.store().delete_item_with_jobs(&key, &jobs).await?;
    Ok(follow_ups)
}

/// Why a job about an item ends when the item no longer exists.
pub(crate) fn gone(kind: ItemKind, number: ItemNumber) -> Failure {
    Failure::Unrunnable(Unrunnable::ItemGone { kind, number })
}
