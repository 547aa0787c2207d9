//! Apply: the writes of a prepared evaluation, exactly the decided delta
//! (`forge::apply::apply_changes`), after a write-ahead note of the
//! ownership from before them, and the project's label made once.

use crate::engine::access::write_error;
use crate::engine::failure::Step;
use crate::engine::pipeline::decide::Prepared;
use crate::engine::pipeline::pending::pending_for;
use crate::engine::project::ProjectContext;
use crate::forge::ForgeError;
use crate::forge::apply::{AppliedWrites, FailedWrite, apply_changes};
use crate::forge::rights::Write;
use crate::store::ItemRecord;

/// Makes the project's label when the prepared writes add it and it may
/// not exist yet.
pub(crate) async fn ensure_label_for(
    project: &ProjectContext<'_>,
    prepared: &Prepared,
) -> Step<()> {
    if prepared.desired.update.add_labels.is_empty() {
        return Ok(());
    }
    ensure_label(project).await
}

/// Makes the prepared writes (the label made first, `ensure_label_for`);
/// `reference` names the item in errors.
pub(crate) async fn apply(
    project: &ProjectContext<'_>,
    prepared: &Prepared,
    reference: &str,
) -> Step<AppliedWrites> {
    note_pending_writes(project, prepared).await?;
    write(project, prepared, reference).await
}

/// Before the label/milestone write, notes it with the ownership from
/// before it, so a run killed in between is not taken for a person.
async fn note_pending_writes(project: &ProjectContext<'_>, prepared: &Prepared) -> Step<()> {
    let Some(pending) = pending_for(&prepared.desired.update) else {
        return Ok(());
    };
    let before = ItemRecord {
        ownership: prepared.facts.ownership.clone(),
        pending: Some(pending),
        ..prepared.record.clone()
    };
    project.store().save_item(&prepared.key, &before).await?;
    Ok(())
}

async fn write(
    project: &ProjectContext<'_>,
    prepared: &Prepared,
    reference: &str,
) -> Step<AppliedWrites> {
    apply_changes(
        project.forge.as_ref(),
        project.path(),
        prepared.subject.kind(),
        prepared.subject.number(),
        &prepared.previous,
        &prepared.desired,
    )
    .await
    // The pending note stays even when the job is dropped (a token
    // refused the status after the labels landed): the next evaluation
    // credits what landed to the bot, instead of mistaking the bot's
    // label for a person's.
    .map_err(|failed| write_error(project, &failed, reference))
}

/// Creates the label once per project per process.
async fn ensure_label(project: &ProjectContext<'_>) -> Step<()> {
    ensure_label_once(project).await.map_err(|error| {
        let failed = FailedWrite {
            write: Write::Label,
            error,
        };
        write_error(project, &failed, "the project")
    })
}

/// Creates the project's label unless this process already made sure
/// it exists; the forge's error as is, for callers that tell a refusal
/// from a failure.
pub(crate) async fn ensure_label_once(project: &ProjectContext<'_>) -> Result<(), ForgeError> {
    let key = project.key();
    if project
        .engine
        .labels_ensured
        .lock()
        .expect("label set")
        .contains(&key)
    {
        return Ok(());
    }
    project
        .forge
        .ensure_label(
            project.path(),
            &project.config.label,
            &project.config.label_color,
        )
        .await?;
    project
        .engine
        .labels_ensured
        .lock()
        .expect("label set")
        .insert(key);
    Ok(())
}
