//! Announcement mails, exactly once: what is due, and the server's jobs and
//! `schemagate announce` sending it through the store's ledger (the row is
//! `sending` before SMTP and `sent` after, a retry reuses the row's
//! Message-ID, and a sent warning re-evaluates the project and re-renders
//! the milestone's block in the same transaction that records it sent).
//! The send itself is `send.rs`, written once against the `Ledger` trait
//! that the store's rows and the server-less milestone block implement.

pub(crate) mod block_ledger;
pub(crate) mod ledger;
pub(crate) mod send;
mod store_ledger;

use crate::core::announcements::{AnnouncementKind, DueMail, LedgerEntry, LedgerState, due_mails};
use crate::core::types::{Milestone, MilestoneId};
use crate::engine::compose::compose;
use crate::engine::failure::{Failure, Step, Unrunnable};
use crate::engine::mail_service::MailService;
use crate::engine::milestones::fresh_milestones;
use crate::engine::project::ProjectContext;
use crate::engine::{Engine, Work};
use crate::mail::MailKind;
use crate::store::{Announcement, AnnouncementKey, AnnouncementState};
use chrono::{DateTime, Utc};
use ledger::Ledger;
pub use send::MAX_PERMANENT_TRIES;
use send::{Courier, Mail, send_once};
use std::time::Duration;
use store_ledger::StoreLedger;

/// What `schemagate announce` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AnnounceOutcome {
    /// `--preview`: the whole mail, headers and body; nothing was sent or recorded.
    Preview(String),
    Sent {
        message_id: String,
        to: Vec<String>,
    },
    /// The mail went out before; nothing was sent.
    AlreadySent {
        sent_at: Option<DateTime<Utc>>,
    },
    /// An update was asked for, but nothing joined or left the batch since
    /// the last mail (sent at `since`): an update would say nothing.
    NothingNew {
        since: Option<DateTime<Utc>>,
    },
}

/// Which mail to send and whether the ledger's due check applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Intent {
    /// From a job or the sync: only when the planner still says it is due.
    Due,
    /// From `schemagate announce`: send it now (once).
    Command,
}

pub(crate) fn ledger_entries(rows: &[Announcement]) -> Vec<LedgerEntry> {
    rows.iter()
        .map(|row| LedgerEntry {
            milestone: row.milestone,
            kind: row.kind,
            sequence: row.sequence,
            state: match row.state {
                AnnouncementState::Sent => LedgerState::Sent,
                AnnouncementState::Failed => LedgerState::Failed,
                AnnouncementState::Pending | AnnouncementState::Sending => LedgerState::Unsent,
            },
            sent_at: row.sent_at_ms.and_then(DateTime::from_timestamp_millis),
            items: row.items.clone(),
        })
        .collect()
}

pub(crate) fn mail_kind(kind: AnnouncementKind) -> MailKind {
    match kind {
        AnnouncementKind::Warning => MailKind::Warning,
        AnnouncementKind::Update => MailKind::Update,
        AnnouncementKind::ReleaseNotice => MailKind::Release,
    }
}

/// What one send needs, read once.
pub(crate) struct Snapshot {
    pub milestones: std::sync::Arc<Vec<Milestone>>,
    pub state: crate::core::policy::ProjectState,
    pub rows: Vec<Announcement>,
    /// The clock read once: what is due, and the mail's date.
    pub now: chrono::DateTime<Utc>,
}

pub(crate) fn mail_service(engine: &Engine) -> Step<&MailService> {
    engine
        .mail
        .as_ref()
        .ok_or(Failure::Unrunnable(Unrunnable::NoMail))
}

pub(crate) async fn announcement_snapshot(project: &ProjectContext<'_>) -> Step<Snapshot> {
    let milestones = fresh_milestones(project).await?;
    let state = project.state().await?;
    let rows = project
        .store()
        .announcements(project.kind, &project.config.path)
        .await?;
    Ok(Snapshot {
        milestones,
        state,
        rows,
        now: project.engine.now(),
    })
}

/// The mails the project owes now (none without an `announce` table).
pub(crate) fn mails_due(project: &ProjectContext<'_>, snapshot: &Snapshot) -> Vec<DueMail> {
    if project.config.announce.is_none() || project.engine.mail.is_none() {
        return Vec::new();
    }
    due_mails(
        &snapshot.state,
        &snapshot.milestones,
        &project.config.policy(),
        &project.config.mail_policy(),
        &ledger_entries(&snapshot.rows),
        snapshot.now,
    )
}

/// Renders `due` and sends it through the store's ledger. A mail already
/// sent is not sent again.
pub(crate) async fn send_announcement(
    project: &ProjectContext<'_>,
    snapshot: &Snapshot,
    due: DueMail,
    intent: Intent,
) -> Step<AnnounceOutcome> {
    if project.engine.observe {
        return hold_back(project, snapshot, due).await;
    }
    let store = &project.engine.store;
    compose_and_send(project, snapshot, due, intent, |key, items, deadline| {
        StoreLedger::new(store, key, items, deadline)
            .with_follow_ups(after_sent(project, due), after_refused(project, due))
    })
    .await
}

/// Observe mode: the mail is composed and kept, with a line saying whom
/// it would go to, for the status page; nothing is sent and the ledger
/// stays empty, so a server that writes sends it once when it is due.
async fn hold_back(
    project: &ProjectContext<'_>,
    snapshot: &Snapshot,
    due: DueMail,
) -> Step<AnnounceOutcome> {
    let (outgoing, _, _) = compose(project, snapshot, due).await?;
    let preview = outgoing.preview();
    let line = format!(
        "would send the {} for {} to {}",
        due.kind.noun(),
        milestone_title(snapshot, due.milestone),
        project.config.announce_to().join(", ")
    );
    let subject = format!(
        "mail:{}:{}:{}",
        due.milestone.0,
        due.kind.word(),
        due.sequence
    );
    project
        .store()
        .observe(&project.key(), &subject, &[line], Some(&preview))
        .await?;
    Ok(AnnounceOutcome::Preview(preview))
}

/// Composes `due` and sends it once through the ledger `ledger_for` makes
/// from the mail's ledger key, the items it lists and the send deadline:
/// the store's rows for the server, the milestone block without one.
pub(crate) async fn compose_and_send<L: Ledger>(
    project: &ProjectContext<'_>,
    snapshot: &Snapshot,
    due: DueMail,
    intent: Intent,
    ledger_for: impl FnOnce(AnnouncementKey, Vec<String>, Duration) -> L,
) -> Step<AnnounceOutcome> {
    let engine = project.engine;
    let service = mail_service(engine)?;
    let (outgoing, key, items) = compose(project, snapshot, due).await?;
    let courier = Courier::new(service.mailer(), engine.config.mail.as_ref());
    let mut ledger = ledger_for(key, items, courier.deadline());
    let title = milestone_title(snapshot, due.milestone);
    let mail = Mail {
        outgoing,
        due,
        project: &project.config.path,
        milestone_title: &title,
        intent,
    };
    send_once(&mut ledger, &courier, mail).await
}

/// The work a sent mail implies: after the warning, every open item's
/// gate may turn green and the block gains its "warning sent" line.
fn after_sent(project: &ProjectContext<'_>, due: DueMail) -> Vec<Work> {
    if due.kind != AnnouncementKind::Warning {
        return Vec::new();
    }
    vec![project.render_block(due.milestone), project.reevaluate()]
}

/// Gates waiting for a refused warning now say to send it by hand.
fn after_refused(project: &ProjectContext<'_>, due: DueMail) -> Vec<Work> {
    match due.kind {
        AnnouncementKind::Warning => vec![project.reevaluate()],
        _ => Vec::new(),
    }
}

fn milestone_title(snapshot: &Snapshot, milestone: MilestoneId) -> String {
    crate::core::types::milestone_title(&snapshot.milestones, milestone)
}
