//! `schemagate check`: one MR decided by the same `prepare` path `serve`
//! uses, from what the forge alone says (no store): the database changes and
//! warnings from the milestones' blocks, and who placed the label and
//! milestone from the MR's history, read only when it could change the
//! outcome. With `apply` it makes the server's writes except the status
//! (in CI the job is the status).

use crate::config::ProjectConfig;
use crate::core::exceptions::Steering;
use crate::core::forge_state::{OwnershipNeeds, ownership_needs};
use crate::core::policy::MigrationConflict;
use crate::core::policy::{
    DbItemRef, ItemKind as PolicyKind, ProjectState, Verdict, milestones_affected_by,
    recorded_db_change,
};
use crate::core::types::Match;
use crate::engine::Engine;
use crate::engine::access::write_error;
use crate::engine::failure::{Failure, Step, WriteRefused};
use crate::engine::milestones::cache_milestone_description;
use crate::engine::pipeline::apply::ensure_label_once;
use crate::engine::pipeline::decide::prepare_with;
use crate::engine::pipeline::decide::{Extra, Prepared};
use crate::engine::pipeline::subject::Subject;
use crate::engine::plan::{item_reference, planned_block_write, planned_item_writes};
use crate::engine::project::ProjectContext;
use crate::forge::apply::{FailedWrite, apply_changes};
use crate::forge::rights::Write;
use crate::forge::{ForgeError, ItemKind, ItemNumber, ItemState, MergeRequest};
use crate::store::ItemRecord;
use crate::tasks::check_reads::check_inputs;
use crate::tasks::check_reads::read_history;
use crate::tasks::check_reads::{CheckInputs, any};
use crate::tasks::check_steering::react_to_thread;

/// How `check` runs.
#[derive(Debug, Clone, Default)]
pub struct CheckOptions {
    /// Make the writes (labels, milestone, comment, block); never the status.
    pub apply: bool,
    /// The account whose label and milestone edits are the bot's; `None`
    /// asks the forge who this token is.
    pub bot_account: Option<String>,
}

/// What `check` found and did for one MR.
#[derive(Debug, Clone)]
pub struct CheckReport {
    /// `!12` on GitLab, `#12` on GitHub.
    pub reference: String,
    pub web_url: String,
    pub state: ItemState,
    /// `None` for a closed or merged MR: nothing to gate.
    pub verdict: Option<Verdict>,
    pub is_db_change: bool,
    pub migrations: Vec<Match>,
    /// The batch the MR belongs in, by title.
    pub batch: Option<String>,
    /// The writes the server would make (the status aside), as sentences.
    pub planned: Vec<String>,
    /// Writes made (with `apply`).
    pub writes: usize,
    /// Why the writes could not be made (a read-only token), said once.
    pub write_refused: Option<WriteRefused>,
    /// Whether the MR's label or milestone history had to be read.
    pub history_read: bool,
}

/// Decides (and with `apply`, writes for) MR `number` of `project`.
pub async fn check(
    engine: &Engine,
    project: &ProjectConfig,
    number: ItemNumber,
    options: &CheckOptions,
) -> anyhow::Result<CheckReport> {
    let context = engine.context_for(project).map_err(Failure::into_error)?;
    check_in(&context, number, None, options)
        .await
        .map_err(Failure::into_error)
}

/// Checks MR `number`, read from the forge unless `listed` holds it.
/// The reads run in at most three rounds (see check_reads.rs); the
/// writes of `apply` follow them.
pub(crate) async fn check_in(
    project: &ProjectContext<'_>,
    number: ItemNumber,
    listed: Option<MergeRequest>,
    options: &CheckOptions,
) -> Step<CheckReport> {
    let reference = item_reference(project.kind, ItemKind::MergeRequest, number);
    let named_bot = options.bot_account.as_deref();
    let CheckInputs {
        mr,
        state,
        record,
        matches,
        mut history,
        thread,
        conflicts,
    } = check_inputs(project, number, listed, options, &reference).await?;
    let steering = thread.steering;
    let mut prepared = prepare_for_check(
        project,
        &mr,
        record.clone(),
        &matches,
        &state,
        steering.clone(),
        conflicts.clone(),
    )
    .await?;
    let needs = if options.apply {
        OwnershipNeeds {
            label: true,
            milestone: true,
        }
    } else {
        needs_of(&prepared)
    };
    let late = history.missing(needs);
    if any(late) {
        // The texts made the history matter after all: round 3.
        let more = read_history(project, number, late, named_bot).await?;
        history.add(more);
    }
    if needs.any() {
        let mut record = record;
        record.ownership =
            history.ownership(&project.config.label, &prepared.milestones, named_bot);
        prepared =
            prepare_for_check(project, &mr, record, &matches, &state, steering, conflicts).await?;
    }
    // The job's own result is the gate in CI.
    prepared.desired.status = None;
    let mut report = report(project, &reference, &mr, &prepared, needs.any());
    if options.apply {
        apply_check(project, &prepared, &mut report).await?;
        if report.write_refused.is_none() {
            react_to_thread(project, number, &thread.decided).await;
        }
    }
    Ok(report)
}

pub(crate) async fn prepare_for_check(
    project: &ProjectContext<'_>,
    mr: &MergeRequest,
    record: ItemRecord,
    matches: &crate::store::CachedMatches,
    state: &ProjectState,
    steering: Steering,
    conflicts: Vec<MigrationConflict>,
) -> Step<Prepared> {
    let extra = Extra {
        matches: Some(matches.clone()),
        reason: None,
        closing_merge_requests: Vec::new(),
        steering: Some(steering),
        conflicts,
        peers_to_tell: Vec::new(),
    };
    prepare_with(project, Subject::from(mr), record, extra, state.clone()).await
}

fn report(
    project: &ProjectContext<'_>,
    reference: &str,
    mr: &MergeRequest,
    prepared: &Prepared,
    history_read: bool,
) -> CheckReport {
    let title = |id| crate::core::types::milestone_title(&prepared.milestones, id);
    let mut planned = planned_item_writes(reference, &prepared.previous, &prepared.desired, title);
    for (milestone, _) in blocks_to_write(project, prepared) {
        planned.push(planned_block_write(&milestone.title));
    }
    CheckReport {
        reference: reference.to_string(),
        web_url: mr.web_url.clone(),
        state: mr.state,
        verdict: prepared.decision.verdict.clone(),
        is_db_change: prepared.decision.is_db_change,
        migrations: prepared.facts.matches.clone(),
        batch: prepared.decision.batch.map(title),
        planned,
        writes: 0,
        write_refused: None,
        history_read,
    }
}

/// The milestones whose block changes with this decision, with the
/// description each should get.
fn blocks_to_write<'p>(
    project: &ProjectContext<'_>,
    prepared: &'p Prepared,
) -> Vec<(&'p crate::core::types::Milestone, String)> {
    let after = state_after(prepared);
    milestones_affected_by(&prepared.facts, &prepared.project_state, &prepared.decision)
        .into_iter()
        .filter_map(|id| prepared.milestones.iter().find(|m| m.id == id))
        .map(|m| {
            let wanted = crate::engine::block::rendered_description(
                m,
                &after,
                &project.config.scheme,
                project.config.announce_to(),
            );
            (m, wanted)
        })
        .filter(|(m, wanted)| *wanted != m.description)
        .collect()
}

/// The server's writes for this decision, the status aside. A refused
/// write (a read-only token) stops the rest and is reported, not failed:
/// the verdict stands either way.
async fn apply_check(
    project: &ProjectContext<'_>,
    prepared: &Prepared,
    report: &mut CheckReport,
) -> Step<()> {
    let update = &prepared.desired.update;
    if !update.add_labels.is_empty()
        && let Err(error) = ensure_label_once(project).await
    {
        let failed = FailedWrite {
            write: Write::Label,
            error,
        };
        return refused_or_failed(project, report, &failed);
    }
    match apply_changes(
        project.forge.as_ref(),
        project.path(),
        ItemKind::MergeRequest,
        prepared.subject.number(),
        &prepared.previous,
        &prepared.desired,
    )
    .await
    {
        Ok(applied) => report.writes += applied.write_count(),
        Err(failed) => return refused_or_failed(project, report, &failed),
    }
    for (milestone, wanted) in blocks_to_write(project, prepared) {
        if let Err(error) = project
            .forge
            .set_milestone_description(project.path(), milestone.id, &wanted)
            .await
        {
            let failed = FailedWrite {
                write: Write::MilestoneDescription,
                error,
            };
            return refused_or_failed(project, report, &failed);
        }
        // The next MR of a server-less sync reads the blocks from the cache.
        cache_milestone_description(project, milestone.id, &wanted);
        report.writes += 1;
    }
    Ok(())
}

/// A write refused for lack of rights (403: a read-only token) is
/// reported with the right it needs, not failed; anything else fails.
fn refused_or_failed(
    project: &ProjectContext<'_>,
    report: &mut CheckReport,
    failed: &FailedWrite,
) -> Step<()> {
    if let ForgeError::Forbidden(_) = &failed.error {
        report.write_refused = Some(WriteRefused {
            reference: report.reference.clone(),
            forge: project.kind,
            project: project.config.path.clone(),
            write: failed.write,
            error: failed.error.clone(),
        });
        return Ok(());
    }
    Err(write_error(project, failed, &report.reference))
}

/// Which parts of the history could change what `prepared` decides.
pub(crate) fn needs_of(prepared: &Prepared) -> OwnershipNeeds {
    ownership_needs(
        &prepared.facts,
        &prepared.project_state,
        &prepared.milestones,
        &prepared.policy,
        prepared.now,
    )
}

/// Where the blocks record this MR now.
pub(crate) fn recorded_entry(state: &ProjectState, number: ItemNumber) -> Option<DbItemRef> {
    state
        .db_changes
        .iter()
        .find(|c| c.kind == PolicyKind::MergeRequest && c.number == number)
        .cloned()
}

/// The project state once this decision is recorded: the MR's entry
/// replaced by what the decision makes it.
fn state_after(prepared: &Prepared) -> ProjectState {
    let mut after = prepared.project_state.clone();
    let number = prepared.subject.number();
    after
        .db_changes
        .retain(|c| !(c.kind == PolicyKind::MergeRequest && c.number == number));
    after
        .db_changes
        .extend(recorded_db_change(&prepared.facts, &prepared.decision));
    after
}
