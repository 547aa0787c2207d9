//! `schemagate sync --store forge`: the whole bot from a scheduled CI job,
//! with the forge as the only record. Every open MR is checked and applied
//! as `check --apply` does, then each downtime warning that is due is sent
//! through the same send path as the server's (deadline, metrics, give-up
//! rule), with its ledger in the milestone's block (`BlockLedger`). A run
//! that finds a `sending` line resends once under the same Message-ID (the
//! earlier run may have died before or after SMTP) and then records it
//! sent; a warning the block records as given up is not tried again on its
//! own. Runs must be serialised (`resource_group`, `concurrency`).

use crate::config::ProjectConfig;
use crate::core::announcements::{AnnouncementKind, DueMail};
use crate::core::forge_state::project_state_from_blocks;
use crate::core::policy::{ProjectState, announcement_due};
use crate::core::types::Milestone;
use crate::engine::Engine;
use crate::engine::access::forge_error;
use crate::engine::announce::block_ledger::BlockLedger;
use crate::engine::announce::{AnnounceOutcome, Intent, Snapshot, compose_and_send};
use crate::engine::failure::{Failure, Step};
use crate::engine::milestones::fresh_milestones;
use crate::engine::project::ProjectContext;
use crate::tasks::check::CheckOptions;
use crate::tasks::check::check_in;

/// What one server-less sync did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ForgeSyncReport {
    /// Open MRs checked (twice when a warning went out: their comments change).
    pub checked: usize,
    /// Writes made to MRs and milestone blocks.
    pub writes: usize,
    /// Downtime warnings sent, resends included.
    pub warnings_sent: usize,
    /// Of those, resends of a send an earlier run began.
    pub resent: usize,
    /// MRs the gate blocks, as `!12` / `#12`.
    pub blocked: Vec<String>,
}

/// Reconciles `project` and sends the warnings due, keeping every record
/// in the forge.
pub async fn sync_via_forge(
    engine: &Engine,
    project: &ProjectConfig,
) -> anyhow::Result<ForgeSyncReport> {
    let context = engine.context_for(project).map_err(Failure::into_error)?;
    let mut report = ForgeSyncReport::default();
    check_open(&context, &mut report)
        .await
        .map_err(Failure::into_error)?;
    let sent = match send_due_warnings(&context, &mut report).await {
        Ok(sent) => sent,
        Err(failure) => {
            if let Failure::Mail {
                transient: false, ..
            } = failure
            {
                after_a_refusal(&context, &mut report).await;
            }
            return Err(failure.into_error());
        }
    };
    if sent > 0 {
        // Comments and verdicts now say "announced".
        report.blocked.clear();
        check_open(&context, &mut report)
            .await
            .map_err(Failure::into_error)?;
    }
    Ok(report)
}

/// A warning just given up changes the waiting MRs' advice (the server
/// re-evaluates the project then too). The run fails with the refusal
/// whatever this pass does, so its own failure is only logged.
async fn after_a_refusal(project: &ProjectContext<'_>, report: &mut ForgeSyncReport) {
    report.blocked.clear();
    if let Err(failure) = check_open(project, report).await {
        tracing::warn!(
            project = %project.config.path,
            "the merge requests could not be checked again after the refusal: {failure}"
        );
    }
}

async fn check_open(project: &ProjectContext<'_>, report: &mut ForgeSyncReport) -> Step<()> {
    let open = project
        .forge
        .open_merge_requests(project.path())
        .await
        .map_err(|e| forge_error(project, &e, "listing open merge requests"))?;
    let options = CheckOptions {
        apply: true,
        bot_account: None,
    };
    for mr in open {
        // The listing already holds each MR: no read of its own.
        let checked = check_in(project, mr.number, Some(mr), &options).await?;
        report.checked += 1;
        report.writes += checked.writes;
        if let Some(refused) = checked.write_refused {
            return Err(Failure::ReadOnly(refused));
        }
        if checked.verdict.is_some_and(|v| !v.passed()) {
            report.blocked.push(checked.reference);
        }
    }
    Ok(())
}

/// Sends every warning the blocks say is due or half-sent; the count sent.
async fn send_due_warnings(
    project: &ProjectContext<'_>,
    report: &mut ForgeSyncReport,
) -> Step<usize> {
    if project.config.announce.is_none() || project.engine.mail.is_none() {
        return Ok(0);
    }
    let milestones = fresh_milestones(project).await?;
    let state = project_state_from_blocks(&milestones);
    let policy = project.config.policy();
    let now = project.engine.now();
    let mut sent = 0;
    for milestone in milestones.iter() {
        // Given up after refusals: only a person sends it now.
        if state.warning_sent(milestone.id).is_some() || state.warning_failed(milestone.id) {
            continue;
        }
        let resend = state.warning_sending(milestone.id).is_some();
        if !resend && !announcement_due(milestone.id, &state, &policy, &milestones, now) {
            continue;
        }
        let outcome = send_with_block_ledger(project, &milestones, &state, milestone).await?;
        if let AnnounceOutcome::Sent { .. } = outcome {
            sent += 1;
            report.warnings_sent += 1;
            report.resent += usize::from(resend);
        }
    }
    Ok(sent)
}

async fn send_with_block_ledger(
    project: &ProjectContext<'_>,
    milestones: &std::sync::Arc<Vec<Milestone>>,
    state: &ProjectState,
    milestone: &Milestone,
) -> Step<AnnounceOutcome> {
    let snapshot = Snapshot {
        milestones: milestones.clone(),
        state: state.clone(),
        rows: Vec::new(),
        now: project.engine.now(),
    };
    let due = DueMail {
        milestone: milestone.id,
        kind: AnnouncementKind::Warning,
        sequence: 0,
    };
    // The Message-ID depends only on (forge, project, milestone, kind): a
    // resend is recognisably the same mail, and the block needs no key.
    compose_and_send(project, &snapshot, due, Intent::Due, |_, _, _| {
        BlockLedger::new(project, milestone, state.clone())
    })
    .await
}
