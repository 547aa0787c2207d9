//! `schemagate announce`: a person previews, or sends once, one mail of a
//! milestone they name, whatever the planner says is due.

use crate::core::announcements::{
    AnnouncementKind, DueMail, LedgerEntry, LedgerState, batch_delta, current_items,
    next_update_sequence,
};
use crate::core::types::Milestone;
use crate::engine::Engine;
use crate::engine::announce::announcement_snapshot;
use crate::engine::announce::send_announcement;
use crate::engine::announce::{AnnounceOutcome, Intent, Snapshot, ledger_entries};
use crate::engine::compose::compose;
use crate::engine::failure::Failure;
use crate::store::AnnouncementState;
use chrono::DateTime;

/// `schemagate announce`: previews, or sends once, the `kind` mail of the
/// milestone titled `title`.
pub async fn announce(
    engine: &Engine,
    project: &crate::config::ProjectConfig,
    title: &str,
    kind: AnnouncementKind,
    preview: bool,
) -> anyhow::Result<AnnounceOutcome> {
    let project = engine.context_for(project).map_err(Failure::into_error)?;
    let snapshot = announcement_snapshot(&project)
        .await
        .map_err(Failure::into_error)?;
    let milestone = milestone_titled(&snapshot, title).ok_or_else(|| {
        anyhow::anyhow!("{} has no milestone titled `{title}`", project.config.path)
    })?;
    let ledger = ledger_entries(&snapshot.rows);
    let due = DueMail {
        milestone: milestone.id,
        kind,
        sequence: command_sequence(&ledger, milestone, kind),
    };
    if preview {
        let (outgoing, _, _) = compose(&project, &snapshot, due)
            .await
            .map_err(Failure::into_error)?;
        return Ok(AnnounceOutcome::Preview(outgoing.preview()));
    }
    if let Some(outcome) = nothing_to_send(&snapshot, &ledger, milestone, due) {
        return Ok(outcome);
    }
    send_announcement(&project, &snapshot, due, Intent::Command)
        .await
        .map_err(Failure::into_error)
}

/// The milestone as titled, or else with the title in another case.
fn milestone_titled<'s>(snapshot: &'s Snapshot, title: &str) -> Option<&'s Milestone> {
    let milestones = snapshot.milestones.iter();
    milestones.clone().find(|m| m.title == title).or_else(|| {
        milestones
            .clone()
            .find(|m| m.title.eq_ignore_ascii_case(title))
    })
}

/// Which mail of its kind the command sends: the next update, or (when the
/// latest update failed for good) that one again; warnings and release
/// notices have one.
fn command_sequence(ledger: &[LedgerEntry], milestone: &Milestone, kind: AnnouncementKind) -> u32 {
    match kind {
        AnnouncementKind::Update => {
            next_update_sequence(ledger, milestone.id).unwrap_or_else(|| {
                ledger
                    .iter()
                    .filter(|e| e.milestone == milestone.id && e.kind == kind)
                    .map(|e| e.sequence)
                    .max()
                    .unwrap_or(1)
            })
        }
        _ => 0,
    }
}

/// Why nothing is sent: the mail went out already, or an update would say
/// nothing new.
fn nothing_to_send(
    snapshot: &Snapshot,
    ledger: &[LedgerEntry],
    milestone: &Milestone,
    due: DueMail,
) -> Option<AnnounceOutcome> {
    if let Some(sent) = snapshot.rows.iter().find(|r| {
        r.milestone == due.milestone
            && r.kind == due.kind
            && r.sequence == due.sequence
            && r.state == AnnouncementState::Sent
    }) {
        return Some(AnnounceOutcome::AlreadySent {
            sent_at: sent.sent_at_ms.and_then(DateTime::from_timestamp_millis),
        });
    }
    if due.kind != AnnouncementKind::Update {
        return None;
    }
    let current = current_items(&snapshot.state, milestone.id);
    if batch_delta(ledger, milestone.id, &current).worth_an_update() {
        return None;
    }
    let since = ledger
        .iter()
        .filter(|e| e.milestone == milestone.id && e.state == LedgerState::Sent)
        .filter_map(|e| e.sent_at)
        .max();
    Some(AnnounceOutcome::NothingNew { since })
}
