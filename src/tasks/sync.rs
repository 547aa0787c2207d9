//! The incremental sync: list a project's open MRs, labelled issues and
//! milestones, and re-evaluate only the items whose fingerprint changed
//! since their last evaluation. `schemagate sync` runs it inline (or as a
//! dry run that writes nothing); the server's periodic sync and milestone
//! events enqueue the work instead, so each item's work stays serialised.

use crate::config::ProjectConfig;
use crate::core::ids::ItemNumber;
use crate::core::policy::{ProjectState, recorded_db_change};
use crate::core::types::Milestone;
use crate::engine::Engine;
use crate::engine::announce::announcement_snapshot;
use crate::engine::announce::mails_due;
use crate::engine::announce::send_announcement;
use crate::engine::block::write_block;
use crate::engine::block::{block_candidates, rendered_description};
use crate::engine::failure::Failure;
use crate::engine::failure::Step;
use crate::engine::milestones::fresh_milestones;
use crate::engine::pipeline::commit;
use crate::engine::pipeline::decide::Prepared;
use crate::engine::pipeline::read::Found;
use crate::engine::pipeline::{self, issue, merge_request};
use crate::engine::plan::{item_reference, planned_block_write, planned_item_writes};
use crate::engine::project::ProjectContext;
use crate::engine::scan::ProjectScan;
use crate::engine::scan::scan_project;
use crate::forge::ItemKind;
use std::collections::{BTreeSet, HashSet};
use tracing::Instrument;

/// Whether `sync` writes or only reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncMode {
    Apply,
    DryRun,
}

/// What `sync` did or (dry run) would do.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncReport {
    /// Items whose facts changed and were evaluated.
    pub evaluated: usize,
    /// Items skipped because nothing changed since their last evaluation.
    pub unchanged: usize,
    /// Writes made (apply) or that would be made (dry run).
    pub writes: usize,
    /// Dry run: one line per write it would make ("would add label … to !12").
    pub planned: Vec<String>,
    /// Downtime warnings sent (apply) by this sync.
    pub warnings_sent: usize,
}

/// Progress of a sync, for a progress bar on a terminal.
pub trait SyncObserver: Send + Sync {
    fn started(&self, items: usize);
    fn item_done(&self, item: &str);
}

/// Reconciles one project: re-evaluates open MRs, labelled issues and
/// milestones whose facts changed since the last evaluation.
pub async fn sync(
    engine: &Engine,
    project: &ProjectConfig,
    mode: SyncMode,
    observer: &dyn SyncObserver,
) -> anyhow::Result<SyncReport> {
    let span = tracing::info_span!("sync", project = %project.path, ?mode);
    let failed = |failure: Failure| {
        failure
            .into_error()
            .context(format!("cannot sync {}", project.path))
    };
    let outcome = sync_project(engine, project, mode, observer)
        .instrument(span.clone())
        .await;
    if mode == SyncMode::Apply {
        // The status page's "last sync", as the server's sync records it.
        let error = outcome.as_ref().err().map(ToString::to_string);
        let key = crate::core::ids::ProjectKey::new(project.forge, &project.path);
        if let Err(store) = engine.store.record_sync(&key, error.as_deref()).await {
            tracing::warn!(%store, "could not record the sync for the status page");
        }
    }
    let mut report = outcome.map_err(failed)?;
    if report.warnings_sent > 0 {
        // A warning just sent changes gates and blocks: one more pass
        // applies that now, not at the next sync.
        let again = sync_project(engine, project, mode, observer)
            .instrument(span)
            .await
            .map_err(failed)?;
        report.evaluated += again.evaluated;
        report.writes += again.writes;
        report.planned.extend(again.planned);
    }
    Ok(report)
}

pub(crate) async fn sync_project(
    engine: &Engine,
    config: &ProjectConfig,
    mode: SyncMode,
    observer: &dyn SyncObserver,
) -> Step<SyncReport> {
    let project = engine.context_for(config)?;
    let scan = scan_project(&project).await?;
    observer.started(scan.merge_requests.len() + scan.issues.len() + scan.stored_only.len());
    let mut run = SyncRun {
        mode,
        report: SyncReport::default(),
        done: HashSet::new(),
        follow_up_issues: BTreeSet::new(),
        predicted: scan.state.clone(),
    };

    sync_listed(&project, &scan, &mut run, observer).await?;
    sync_unlisted(&project, &scan, &mut run, observer).await?;
    let predicted = run.predicted.clone();
    sync_blocks(
        &project,
        &scan.milestones,
        &predicted,
        mode,
        &mut run.report,
    )
    .await?;
    sync_announcements(&project, mode, &mut run.report).await?;
    Ok(run.report)
}

/// The listed open MRs and labelled issues whose facts changed.
async fn sync_listed(
    project: &ProjectContext<'_>,
    scan: &ProjectScan,
    run: &mut SyncRun,
    observer: &dyn SyncObserver,
) -> Step<()> {
    let reference = |kind, number| item_reference(project.kind, kind, number);
    for listed in &scan.merge_requests {
        let (kind, number) = (ItemKind::MergeRequest, listed.item.number);
        let prepare = merge_request::prepare(project, number, Some(listed.item.clone()));
        settle_if_changed(project, (kind, number), listed.changed, prepare, run).await?;
        observer.item_done(&reference(kind, number));
    }
    for listed in &scan.issues {
        let (kind, number) = (ItemKind::Issue, listed.item.number);
        let prepare = issue::prepare(project, number, Some(listed.item.clone()));
        settle_if_changed(project, (kind, number), listed.changed, prepare, run).await?;
        observer.item_done(&reference(kind, number));
    }
    Ok(())
}

/// Prepares and settles a listed item whose facts changed; an unchanged
/// one is only counted (`prepare` is not run).
async fn settle_if_changed(
    project: &ProjectContext<'_>,
    item: (ItemKind, ItemNumber),
    changed: bool,
    prepare: impl Future<Output = Step<Found<Prepared>>>,
    run: &mut SyncRun,
) -> Step<()> {
    if !changed {
        run.report.unchanged += 1;
        return Ok(());
    }
    settle(project, prepare.await, run).await?;
    run.done.insert(item);
    Ok(())
}

/// Stored database changes the listings did not show, and the issues
/// the evaluated MRs close (propagation), each once.
async fn sync_unlisted(
    project: &ProjectContext<'_>,
    scan: &ProjectScan,
    run: &mut SyncRun,
    observer: &dyn SyncObserver,
) -> Step<()> {
    let mut rest: Vec<(ItemKind, ItemNumber)> = scan.stored_only.clone();
    rest.extend(
        run.follow_up_issues
            .iter()
            .map(|n| (ItemKind::Issue, *n))
            .filter(|key| !run.done.contains(key) && !scan.stored_only.contains(key)),
    );
    for (kind, number) in rest {
        let prepared = pipeline::prepare(project, kind, number).await;
        settle(project, prepared, run).await?;
        if scan.stored_only.contains(&(kind, number)) {
            observer.item_done(&item_reference(project.kind, kind, number));
        }
    }
    Ok(())
}

/// Sends (or, in a dry run, lists) every mail the project owes, inline.
/// A mail the server cannot take now is left for the next sync.
async fn sync_announcements(
    project: &ProjectContext<'_>,
    mode: SyncMode,
    report: &mut SyncReport,
) -> Step<()> {
    let snapshot = announcement_snapshot(project).await?;
    for due in mails_due(project, &snapshot) {
        let title = snapshot
            .milestones
            .iter()
            .find(|m| m.id == due.milestone)
            .map_or_else(|| due.milestone.to_string(), |m| m.title.clone());
        match mode {
            SyncMode::DryRun => {
                report.planned.push(format!(
                    "would send the {} for {title} to {}",
                    due.kind.noun(),
                    project.config.announce_to().join(", ")
                ));
                report.writes += 1;
            }
            SyncMode::Apply => {
                match send_announcement(
                    project,
                    &snapshot,
                    due,
                    crate::engine::announce::Intent::Due,
                )
                .await
                {
                    Ok(crate::engine::AnnounceOutcome::Sent { .. }) => {
                        report.writes += 1;
                        if due.kind == crate::core::announcements::AnnouncementKind::Warning {
                            report.warnings_sent += 1;
                        }
                    }
                    Ok(_) => {}
                    Err(failure) => {
                        tracing::warn!(project = %project.config.path, "sync could not send the {} for {title}: {failure}", due.kind.noun());
                    }
                }
            }
        }
    }
    Ok(())
}

/// Applies (or, in a dry run, plans) one prepared evaluation.
async fn settle(
    project: &ProjectContext<'_>,
    prepared: Step<Found<Prepared>>,
    run: &mut SyncRun,
) -> Step<()> {
    let prepared = match prepared {
        Ok(Found::Present(prepared)) => prepared,
        // Deleted meanwhile: forgotten; the block pass below follows.
        Ok(Found::Gone(_forgotten)) => return Ok(()),
        Err(failure) if !failure.is_retryable() => {
            tracing::warn!(project = %project.config.path, "sync skipped an item: {failure}");
            return Ok(());
        }
        Err(retry) => return Err(retry),
    };
    run.report.evaluated += 1;
    match run.mode {
        SyncMode::DryRun => {
            let reference = item_reference(
                project.kind,
                prepared.subject.kind(),
                prepared.subject.number(),
            );
            let milestones = prepared.milestones.clone();
            let title = |id| crate::core::types::milestone_title(&milestones, id);
            let lines =
                planned_item_writes(&reference, &prepared.previous, &prepared.desired, title);
            run.report.writes += lines.len();
            run.report.planned.extend(lines);
            // What the store would record, so the planned blocks match.
            let facts = &prepared.facts;
            run.predicted
                .db_changes
                .retain(|c| !(c.kind == facts.kind && c.number == facts.number));
            run.predicted
                .db_changes
                .extend(recorded_db_change(facts, &prepared.decision));
        }
        SyncMode::Apply => {
            let evaluated = match commit(project, prepared).await {
                Ok(evaluated) => evaluated,
                Err(failure) if !failure.is_retryable() => {
                    tracing::warn!(project = %project.config.path, "sync could not write: {failure}");
                    return Ok(());
                }
                Err(retry) => return Err(retry),
            };
            run.report.writes += evaluated.writes;
            run.follow_up_issues.extend(evaluated.follow_ups.issues);
        }
    }
    Ok(())
}

/// Brings every block up to date: from fresh text and the store when
/// applying; from the listing and the `predicted` database changes when
/// planning.
async fn sync_blocks(
    project: &ProjectContext<'_>,
    listed: &[Milestone],
    predicted: &ProjectState,
    mode: SyncMode,
    report: &mut SyncReport,
) -> Step<()> {
    let scheme = &project.config.scheme;
    match mode {
        SyncMode::DryRun => {
            for m in block_candidates(listed, predicted, scheme) {
                let to = project.config.announce_to();
                if rendered_description(m, predicted, scheme, to) != m.description {
                    report.planned.push(planned_block_write(&m.title));
                    report.writes += 1;
                }
            }
        }
        SyncMode::Apply => {
            let milestones = fresh_milestones(project).await?;
            let state = project.state().await?;
            for m in block_candidates(&milestones, &state, scheme) {
                if write_block(project, m, &state).await? {
                    report.writes += 1;
                }
            }
        }
    }
    Ok(())
}

struct SyncRun {
    mode: SyncMode,
    report: SyncReport,
    done: HashSet<(ItemKind, ItemNumber)>,
    follow_up_issues: BTreeSet<ItemNumber>,
    /// Dry run: the database changes as the store would hold them.
    predicted: ProjectState,
}
