//! Announcement mails, exactly once: the ledger row is `sending` before SMTP
//! and `sent` after, a retry reuses the row's Message-ID, and a sent warning
//! re-evaluates the project (gates waiting for it turn green) and re-renders
//! the milestone's block, in the same transaction that records it sent.

use crate::core::announcements::{AnnouncementKind, DueMail, LedgerEntry, LedgerState, due_mails};
use crate::core::types::{Milestone, MilestoneId};
use crate::engine::compose::compose;
use crate::engine::failure::{Failure, Step, Unrunnable};
use crate::engine::mail_service::MailService;
use crate::engine::milestones::fresh_milestones;
use crate::engine::project::ProjectContext;
use crate::engine::{Engine, Work};
use crate::mail::{MailKind, OutgoingMail, SendError};
use crate::metric_names::{ANNOUNCEMENTS_FAILED, ANNOUNCEMENTS_RETRIED, ANNOUNCEMENTS_SENT};
use crate::store::{Announcement, AnnouncementKey, AnnouncementState, Begun, SendOutcome};
use chrono::{DateTime, Utc};

/// Permanent SMTP refusals after which a mail is given up (marked `failed`);
/// a few, in case a server misreports a passing problem as permanent.
pub const MAX_PERMANENT_TRIES: u32 = 3;

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

/// The longest one SMTP exchange may take: a send still running then
/// is abandoned as a transient failure. `mail.timeout` bounds each of
/// its commands, not the whole.
fn send_deadline(engine: &Engine) -> std::time::Duration {
    let timeout = engine
        .config
        .mail
        .as_ref()
        .map_or(crate::config::DEFAULT_MAIL_TIMEOUT, |m| m.timeout);
    timeout * 4
}

/// How long a send is claimed: past its deadline, so a live sender
/// keeps the claim until it is done, and a dead one's claim runs out.
fn send_claim(engine: &Engine) -> std::time::Duration {
    send_deadline(engine) + std::time::Duration::from_secs(5)
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

/// `Work::Announce`: sends the `kind` mail of `milestone` if it is still due.
pub(crate) async fn run_announce(
    project: &ProjectContext<'_>,
    milestone: MilestoneId,
    kind: AnnouncementKind,
) -> Step<()> {
    let snapshot = announcement_snapshot(project).await?;
    let Some(due) = mails_due(project, &snapshot)
        .into_iter()
        .find(|d| d.milestone == milestone && d.kind == kind)
    else {
        tracing::debug!(%milestone, kind = kind.word(), "announcement no longer due");
        return Ok(());
    };
    send_announcement(project, &snapshot, due, Intent::Due)
        .await
        .map(|_| ())
}

/// Renders `due` and sends it through the ledger. A mail already sent
/// is not sent again.
pub(crate) async fn send_announcement(
    project: &ProjectContext<'_>,
    snapshot: &Snapshot,
    due: DueMail,
    intent: Intent,
) -> Step<AnnounceOutcome> {
    let service = mail_service(project.engine)?;
    let (outgoing, key, items) = compose(project, snapshot, due).await?;
    let row = match claim_send(project.engine, &key, &outgoing, &items, due).await? {
        Ok(row) => row,
        Err(already_sent) => return Ok(already_sent),
    };
    // The row's Message-ID is the first one chosen: a resend after a crash reuses it.
    let outgoing = OutgoingMail {
        message_id: row.message_id.clone(),
        ..outgoing
    };
    let deadline = send_deadline(project.engine);
    let result = match tokio::time::timeout(deadline, service.mailer().send(&outgoing)).await {
        Ok(result) => result,
        Err(_) => Err(SendError::Transient(format!(
            "the SMTP exchange took longer than {}s",
            deadline.as_secs()
        ))),
    };
    let sent = Sent {
        project,
        key: &key,
        due,
    };
    match sent_result(sent, result, outgoing, &row, intent, snapshot) {
        SendResult::Delivered(outgoing) => record_sent(project.engine, sent, outgoing).await,
        SendResult::Refused(sentence) => record_refused(project.engine, sent, sentence).await,
        SendResult::RefusedOnce(reason) => record_unsent(project.engine, sent, reason, true).await,
        SendResult::Failed(reason) => record_unsent(project.engine, sent, reason, false).await,
    }
}

/// The ledger row this process may send under, or the outcome when the
/// mail went out before. Another process holding the send is `Busy`.
async fn claim_send(
    engine: &Engine,
    key: &AnnouncementKey,
    outgoing: &OutgoingMail,
    items: &[String],
    due: DueMail,
) -> Step<Result<Announcement, AnnounceOutcome>> {
    match engine
        .store
        .begin_announcement(key, &outgoing.message_id, items, send_claim(engine))
        .await?
    {
        Begun::Claimed(row) => Ok(Ok(row)),
        Begun::AlreadySent(row) => Ok(Err(AnnounceOutcome::AlreadySent {
            sent_at: row.sent_at_ms.and_then(DateTime::from_timestamp_millis),
        })),
        // Another process (serve beside sync, a second replica) holds
        // the send: this one waits and looks again.
        Begun::Busy(_) => Err(Failure::Busy(due.kind)),
    }
}

async fn record_sent(
    engine: &Engine,
    sent: Sent<'_, '_>,
    outgoing: OutgoingMail,
) -> Step<AnnounceOutcome> {
    let kind = sent.due.kind.word();
    let jobs = after_sent(sent.project, sent.due);
    let encoded = crate::engine::queue::EncodedWork::new(&jobs);
    engine
        .store
        .finish_announcement(sent.key, SendOutcome::Sent, &encoded.jobs())
        .await?;
    metrics::counter!(ANNOUNCEMENTS_SENT, "kind" => kind).increment(1);
    tracing::info!(
        project = %sent.project.config.path,
        kind,
        message_id = %outgoing.message_id,
        to = %outgoing.to.join(", "),
        "announcement sent"
    );
    Ok(AnnounceOutcome::Sent {
        message_id: outgoing.message_id,
        to: outgoing.to,
    })
}

/// A refusal for good: the row is `failed`, its error the whole
/// sentence, and the failure is reported (log, metric, and `/healthz` of
/// every process, which reads it from the ledger) until a mail goes out.
async fn record_refused(
    engine: &Engine,
    sent: Sent<'_, '_>,
    sentence: String,
) -> Step<AnnounceOutcome> {
    let kind = sent.due.kind.word();
    // Gates waiting for a refused warning now say to send it by hand.
    let jobs = match sent.due.kind {
        AnnouncementKind::Warning => vec![sent.project.reevaluate()],
        _ => Vec::new(),
    };
    let encoded = crate::engine::queue::EncodedWork::new(&jobs);
    engine
        .store
        .finish_announcement(sent.key, SendOutcome::Failed(&sentence), &encoded.jobs())
        .await?;
    tracing::error!(project = %sent.project.config.path, kind, "{sentence}");
    metrics::counter!(ANNOUNCEMENTS_FAILED, "kind" => kind).increment(1);
    Err(Failure::Mail {
        reason: sentence,
        transient: false,
    })
}

/// Not sent this time: the row waits for the next try, with the refusal
/// counted when the server refused it for good.
async fn record_unsent(
    engine: &Engine,
    sent: Sent<'_, '_>,
    reason: String,
    refused: bool,
) -> Step<AnnounceOutcome> {
    let outcome = match refused {
        true => SendOutcome::RefusedOnce(&reason),
        false => SendOutcome::Retry(&reason),
    };
    engine
        .store
        .finish_announcement(sent.key, outcome, &[])
        .await?;
    metrics::counter!(ANNOUNCEMENTS_RETRIED, "kind" => sent.due.kind.word()).increment(1);
    Err(Failure::Mail {
        reason: format!(
            "the {} could not be sent yet: {reason}",
            sent.due.kind.noun()
        ),
        transient: true,
    })
}

/// The work a sent mail implies: after the warning, every open item's
/// gate may turn green and the block gains its "warning sent" line.
fn after_sent(project: &ProjectContext<'_>, due: DueMail) -> Vec<Work> {
    if due.kind != AnnouncementKind::Warning {
        return Vec::new();
    }
    vec![project.render_block(due.milestone), project.reevaluate()]
}

fn milestone_title(snapshot: &Snapshot, milestone: MilestoneId) -> String {
    snapshot
        .milestones
        .iter()
        .find(|m| m.id == milestone)
        .map_or_else(|| format!("milestone {milestone}"), |m| m.title.clone())
}

/// One send in progress: what recording its result needs.
#[derive(Clone, Copy)]
struct Sent<'p, 'e> {
    project: &'p ProjectContext<'e>,
    key: &'p AnnouncementKey,
    due: DueMail,
}

enum SendResult {
    Delivered(OutgoingMail),
    /// Refused for good: the sentence reported, with the server's reason.
    Refused(String),
    /// Refused for good, but fewer than `MAX_PERMANENT_TRIES` times: tried again.
    RefusedOnce(String),
    /// Not sent this time; a later try may succeed.
    Failed(String),
}

/// What the SMTP answer means for the ledger. A permanent refusal is given
/// up after `MAX_PERMANENT_TRIES` of them (a server may misreport a passing
/// problem; transient failures in between do not count), at once when a
/// person asked for the mail.
fn sent_result(
    sent: Sent<'_, '_>,
    result: Result<(), SendError>,
    outgoing: OutgoingMail,
    row: &Announcement,
    intent: Intent,
    snapshot: &Snapshot,
) -> SendResult {
    match result {
        Ok(()) => SendResult::Delivered(outgoing),
        Err(SendError::Permanent(reason))
            if row.refusals + 1 >= MAX_PERMANENT_TRIES || intent == Intent::Command =>
        {
            let (noun, title) = (
                sent.due.kind.noun(),
                milestone_title(snapshot, sent.due.milestone),
            );
            let project = &sent.project.config.path;
            let sentence = format!(
                "the mail server refused the {noun} for {project} {title} for good: {reason}; \
                 it is not tried again on its own: fix the mail settings, then send it with \
                 `schemagate announce --project {project} --milestone {title} --kind {}`",
                sent.due.kind.word(),
            );
            SendResult::Refused(sentence)
        }
        Err(error @ SendError::Permanent(_)) => SendResult::RefusedOnce(error.to_string()),
        Err(error) => SendResult::Failed(error.to_string()),
    }
}
