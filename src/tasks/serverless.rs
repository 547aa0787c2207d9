//! `schemagate sync --store forge`: the whole bot from a scheduled CI job,
//! with the forge as the only record. Every open MR is checked and applied
//! as `check --apply` does, then each downtime warning that is due is sent
//! with its ledger in the milestone's block: a `warning-sending` line (with
//! the Message-ID) is written before SMTP and replaced by the `warning-sent`
//! line after. A run that finds a `sending` line resends once under the same
//! Message-ID (the earlier run may have died before or after SMTP) and then
//! records it sent. Runs must be serialised (`resource_group`, `concurrency`).

use crate::config::ProjectConfig;
use crate::core::announcements::{AnnouncementKind, DueMail};
use crate::core::forge_state::project_state_from_blocks;
use crate::core::policy::{ProjectState, WarningSending, WarningSent, announcement_due};
use crate::core::types::Milestone;
use crate::engine::Engine;
use crate::engine::access::forge_error;
use crate::engine::announce::Snapshot;
use crate::engine::block::write_block;
use crate::engine::compose::compose;
use crate::engine::failure::{Failure, Step, Unrunnable};
use crate::engine::milestones::fresh_milestones;
use crate::engine::milestones::milestones;
use crate::engine::project::ProjectContext;
use crate::mail::SendError;
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
    let sent = send_due_warnings(&context, &mut report)
        .await
        .map_err(Failure::into_error)?;
    if sent > 0 {
        // Comments and verdicts now say "announced".
        report.blocked.clear();
        check_open(&context, &mut report)
            .await
            .map_err(Failure::into_error)?;
    }
    Ok(report)
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
            return Err(Failure::Access(refused.denied));
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
        if state.warning_sent(milestone.id).is_some() {
            continue;
        }
        let resend = state.warning_sending(milestone.id).is_some();
        if !resend && !announcement_due(milestone.id, &state, &policy, &milestones, now) {
            continue;
        }
        send_with_block_ledger(project, &milestones, &state, milestone).await?;
        sent += 1;
        report.warnings_sent += 1;
        report.resent += usize::from(resend);
    }
    Ok(sent)
}

async fn send_with_block_ledger(
    project: &ProjectContext<'_>,
    milestones: &std::sync::Arc<Vec<Milestone>>,
    state: &ProjectState,
    milestone: &Milestone,
) -> Step<()> {
    let service = project
        .engine
        .mail
        .as_ref()
        .ok_or(Failure::Unrunnable(Unrunnable::NoMail))?;
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
    // The Message-ID depends only on (forge, project, milestone, kind):
    // a resend is recognisably the same mail.
    let (outgoing, _, _) = compose(project, &snapshot, due).await?;
    let mut sending = state.clone();
    if sending.warning_sending(milestone.id).is_none() {
        sending.warnings_sending.push(WarningSending {
            milestone: milestone.id,
            message_id: outgoing.message_id.clone(),
            since: project.engine.now(),
        });
        write_block(project, milestone, &sending).await?;
    }
    service
        .mailer()
        .send(&outgoing)
        .await
        .map_err(|error| unsent_warning(milestone, error))?;
    tracing::info!(
        project = %project.config.path,
        milestone = %milestone.title,
        message_id = %outgoing.message_id,
        "downtime warning sent (server-less)"
    );
    record_sent_in_block(project, milestone, sending).await
}

/// Replaces the block's "sending" line by the "sent" one.
async fn record_sent_in_block(
    project: &ProjectContext<'_>,
    milestone: &Milestone,
    sending: ProjectState,
) -> Step<()> {
    let mut done = sending;
    done.warnings_sending
        .retain(|w| w.milestone != milestone.id);
    done.warnings_sent.push(WarningSent {
        milestone: milestone.id,
        sent_at: project.engine.now(),
    });
    // The block with the sending line, as the cache has it since that
    // write, so this write replaces the line.
    let current = milestones(project)
        .await?
        .iter()
        .find(|m| m.id == milestone.id)
        .cloned()
        .unwrap_or_else(|| milestone.clone());
    write_block(project, &current, &done).await?;
    Ok(())
}

fn unsent_warning(milestone: &Milestone, error: SendError) -> Failure {
    Failure::Mail {
        reason: format!(
            "the downtime warning for {} could not be sent: {error}",
            milestone.title
        ),
        transient: matches!(error, SendError::Transient(_)),
    }
}
