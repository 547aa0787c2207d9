//! The evaluation pipeline of one MR or issue: read it (a deleted one is
//! forgotten), decide (`core::policy::decide` on the facts), apply the
//! smallest set of writes, and record the outcome with the follow-up work
//! it implies. Every handler and task that evaluates an item goes through it.

pub(crate) mod apply;
pub(crate) mod decide;
pub(crate) mod desired;
pub(crate) mod detect;
pub(crate) mod fingerprint;
pub(crate) mod issue;
pub(crate) mod merge_request;
pub(crate) mod pending;
pub(crate) mod read;
pub(crate) mod record;
pub(crate) mod subject;

use crate::core::types::milestone_title;
use crate::engine::failure::Step;
use crate::engine::plan::{item_reference, planned_item_writes};
use crate::engine::project::ProjectContext;
use crate::forge::{ItemKind, ItemNumber};
use decide::{Evaluated, Prepared};
use read::Found;

/// Reads and decides one item, writing nothing; a gone item is forgotten.
pub(crate) async fn prepare(
    project: &ProjectContext<'_>,
    kind: ItemKind,
    number: ItemNumber,
) -> Step<Found<Prepared>> {
    match kind {
        ItemKind::MergeRequest => merge_request::prepare(project, number, None).await,
        ItemKind::Issue => issue::prepare(project, number, None).await,
    }
}

/// Reads, decides, applies and records one item; a gone item is forgotten.
pub(crate) async fn evaluate(
    project: &ProjectContext<'_>,
    kind: ItemKind,
    number: ItemNumber,
) -> Step<Found<Evaluated>> {
    prepare(project, kind, number)
        .await?
        .then(|prepared| commit(project, prepared))
        .await
}

/// Applies the prepared writes and records the outcome.
pub(crate) async fn commit(project: &ProjectContext<'_>, prepared: Prepared) -> Step<Evaluated> {
    let reference = item_reference(
        project.kind,
        prepared.subject.kind(),
        prepared.subject.number(),
    );
    if project.engine.observe {
        return observe(project, &prepared, &reference).await;
    }
    // The label first: a retry after a failed label creation counts the
    // verdict once, when the writes go out.
    apply::ensure_label_for(project, &prepared).await?;
    record::count_verdict(project, &prepared);
    let applied = apply::apply(project, &prepared, &reference).await?;
    let follow_ups = record::record(project, &prepared, &applied).await?;
    tracing::debug!(
        item = %reference,
        writes = applied.write_count(),
        db_change = prepared.decision.is_db_change,
        "evaluated"
    );
    Ok(Evaluated {
        writes: applied.write_count(),
        follow_ups,
    })
}

/// Observe mode: records the writes the evaluation would make, for the
/// status page, and the item's record without them (`record_observed`).
async fn observe(
    project: &ProjectContext<'_>,
    prepared: &Prepared,
    reference: &str,
) -> Step<Evaluated> {
    let titles = |id| milestone_title(&prepared.milestones, id);
    let writes = planned_item_writes(reference, &prepared.previous, &prepared.desired, titles);
    let subject =
        crate::core::announcements::item_key(prepared.subject.kind(), prepared.subject.number());
    project
        .store()
        .observe(&project.key(), &subject, &writes, None)
        .await?;
    record::count_verdict(project, prepared);
    let follow_ups = record::record_observed(project, prepared).await?;
    tracing::debug!(item = %reference, held_back = writes.len(), "observed");
    Ok(Evaluated {
        writes: 0,
        follow_ups,
    })
}
