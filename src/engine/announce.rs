//! Announcement mails, exactly once: the ledger row is `sending` before SMTP
//! and `sent` after, a retry reuses the row's Message-ID, and a sent warning
//! re-evaluates the project (gates waiting for it turn green) and re-renders
//! the milestone's block, in the same transaction that records it sent.

use super::failure::{Failure, Step};
use super::mail_service::MailService;
use super::project::ProjectContext;
use super::{Engine, Work};
use crate::core::announcements::{
    AnnouncementKind, DueMail, LedgerEntry, LedgerState, batch_delta, current_items, due_mails,
    next_update_sequence,
};
use crate::core::types::{Milestone, MilestoneId};
use crate::mail::{MailKind, OutgoingMail, SendError, message_id};
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
pub(super) enum Intent {
    /// From a job or the sync: only when the planner still says it is due.
    Due,
    /// From `schemagate announce`: send it now (once).
    Command,
}

pub(super) fn ledger_entries(rows: &[Announcement]) -> Vec<LedgerEntry> {
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

fn mail_kind(kind: AnnouncementKind) -> MailKind {
    match kind {
        AnnouncementKind::Warning => MailKind::Warning,
        AnnouncementKind::Update => MailKind::Update,
        AnnouncementKind::ReleaseNotice => MailKind::Release,
    }
}

/// What one send needs, read once.
pub(super) struct Snapshot {
    pub milestones: std::sync::Arc<Vec<Milestone>>,
    pub state: crate::core::policy::ProjectState,
    pub rows: Vec<Announcement>,
    /// The clock read once: what is due, and the mail's date.
    pub now: chrono::DateTime<Utc>,
}

impl Engine {
    /// The longest one SMTP exchange may take: a send still running then
    /// is abandoned as a transient failure. `mail.timeout` bounds each of
    /// its commands, not the whole.
    fn send_deadline(&self) -> std::time::Duration {
        let timeout = self
            .config
            .mail
            .as_ref()
            .map_or(crate::config::DEFAULT_MAIL_TIMEOUT, |m| m.timeout);
        timeout * 4
    }

    /// How long a send is claimed: past its deadline, so a live sender
    /// keeps the claim until it is done, and a dead one's claim runs out.
    fn send_claim(&self) -> std::time::Duration {
        self.send_deadline() + std::time::Duration::from_secs(5)
    }

    fn mail_service(&self) -> Step<&MailService> {
        self.mail
            .as_ref()
            .ok_or_else(|| Failure::Unrunnable("no [mail] section is configured".to_string()))
    }

    pub(super) async fn announcement_snapshot(
        &self,
        project: &ProjectContext<'_>,
    ) -> Step<Snapshot> {
        let milestones = self.fresh_milestones(project).await?;
        let state = self
            .store
            .project_state(project.kind, &project.config.path)
            .await?;
        let rows = self
            .store
            .announcements(project.kind, &project.config.path)
            .await?;
        Ok(Snapshot {
            milestones,
            state,
            rows,
            now: self.now(),
        })
    }

    /// The mails the project owes now (none without an `announce` table).
    pub(super) fn mails_due(
        &self,
        project: &ProjectContext<'_>,
        snapshot: &Snapshot,
    ) -> Vec<DueMail> {
        if project.config.announce.is_none() || self.mail.is_none() {
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
    pub(super) async fn run_announce(
        &self,
        project: &ProjectContext<'_>,
        milestone: MilestoneId,
        kind: AnnouncementKind,
    ) -> Step<()> {
        let snapshot = self.announcement_snapshot(project).await?;
        let Some(due) = self
            .mails_due(project, &snapshot)
            .into_iter()
            .find(|d| d.milestone == milestone && d.kind == kind)
        else {
            tracing::debug!(%milestone, kind = kind.word(), "announcement no longer due");
            return Ok(());
        };
        self.send_announcement(project, &snapshot, due, Intent::Due)
            .await
            .map(|_| ())
    }

    /// Renders `due` and sends it through the ledger. A mail already sent
    /// is not sent again.
    pub(super) async fn send_announcement(
        &self,
        project: &ProjectContext<'_>,
        snapshot: &Snapshot,
        due: DueMail,
        intent: Intent,
    ) -> Step<AnnounceOutcome> {
        let service = self.mail_service()?;
        let (outgoing, key, items) = self.compose(project, snapshot, due).await?;
        let row = match self
            .store
            .begin_announcement(&key, &outgoing.message_id, &items, self.send_claim())
            .await?
        {
            Begun::Claimed(row) => row,
            Begun::AlreadySent(row) => {
                return Ok(AnnounceOutcome::AlreadySent {
                    sent_at: row.sent_at_ms.and_then(DateTime::from_timestamp_millis),
                });
            }
            // Another process (serve beside sync, a second replica) holds
            // the send: this one waits and looks again.
            Begun::Busy(_) => {
                return Err(Failure::Busy(format!(
                    "another process is sending the {} now",
                    due.kind.noun()
                )));
            }
        };
        // The row's Message-ID is the first one chosen: a resend after a crash reuses it.
        let outgoing = OutgoingMail {
            message_id: row.message_id.clone(),
            ..outgoing
        };
        let kind = due.kind.word();
        let deadline = self.send_deadline();
        let sent = match tokio::time::timeout(deadline, service.mailer().send(&outgoing)).await {
            Ok(result) => result,
            Err(_) => Err(SendError::Transient(format!(
                "the SMTP exchange took longer than {}s",
                deadline.as_secs()
            ))),
        };
        match sent {
            Ok(()) => {
                let jobs = self.after_sent(project, due);
                let encoded = super::events::EncodedWork::new(&jobs);
                self.store
                    .finish_announcement(&key, SendOutcome::Sent, &encoded.jobs())
                    .await?;
                service.record_failure(None);
                metrics::counter!(ANNOUNCEMENTS_SENT, "kind" => kind).increment(1);
                tracing::info!(
                    project = %project.config.path,
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
            Err(SendError::Permanent(reason))
                if row.attempts >= MAX_PERMANENT_TRIES || intent == Intent::Command =>
            {
                self.store
                    .finish_announcement(&key, SendOutcome::Failed(&reason), &[])
                    .await?;
                let sentence = format!(
                    "the mail server refused the {} for {} {} for good: {reason}",
                    due.kind.noun(),
                    project.config.path,
                    milestone_title(snapshot, due.milestone),
                );
                tracing::error!(project = %project.config.path, kind, "{sentence}");
                service.record_failure(Some(sentence.clone()));
                metrics::counter!(ANNOUNCEMENTS_FAILED, "kind" => kind).increment(1);
                Err(Failure::Mail {
                    reason: sentence,
                    transient: false,
                })
            }
            Err(error) => {
                let reason = error.to_string();
                self.store
                    .finish_announcement(&key, SendOutcome::Retry(&reason), &[])
                    .await?;
                metrics::counter!(ANNOUNCEMENTS_RETRIED, "kind" => kind).increment(1);
                Err(Failure::Mail {
                    reason: format!("the {} could not be sent yet: {reason}", due.kind.noun()),
                    transient: true,
                })
            }
        }
    }

    /// The mail for `due`, its ledger key and the items it lists.
    pub(super) async fn compose(
        &self,
        project: &ProjectContext<'_>,
        snapshot: &Snapshot,
        due: DueMail,
    ) -> Step<(OutgoingMail, AnnouncementKey, Vec<String>)> {
        let service = self.mail_service()?;
        let announce = project.config.announce.as_ref().ok_or_else(|| {
            Failure::Unrunnable(format!(
                "project {} has no `announce` table",
                project.config.path
            ))
        })?;
        let milestone = snapshot
            .milestones
            .iter()
            .find(|m| m.id == due.milestone)
            .ok_or_else(|| Failure::Unrunnable(format!("milestone {} is gone", due.milestone)))?;
        let ledger = ledger_entries(&snapshot.rows);
        let context = self
            .mail_context(
                project,
                milestone,
                &snapshot.milestones,
                &snapshot.state,
                &ledger,
                due.kind,
            )
            .await?;
        let templates = service.templates(project.config.forge, &project.config.path);
        let rendered = templates
            .render(mail_kind(due.kind), &context)
            .map_err(|e| Failure::Unrunnable(format!("the mail template is broken: {e}")))?;
        let key = AnnouncementKey {
            forge: project.kind,
            project: project.config.path.clone(),
            milestone: due.milestone,
            kind: due.kind,
            sequence: due.sequence,
        };
        let existing = snapshot.rows.iter().find(|r| {
            r.milestone == key.milestone && r.kind == key.kind && r.sequence == key.sequence
        });
        let warning_id = snapshot
            .rows
            .iter()
            .find(|r| r.milestone == due.milestone && r.kind == AnnouncementKind::Warning)
            .map(|r| r.message_id.clone());
        let from = service.mailer().from().to_string();
        let outgoing = OutgoingMail {
            message_id: existing.map(|r| r.message_id.clone()).unwrap_or_else(|| {
                message_id(
                    project.kind.name(),
                    &project.config.path,
                    due.milestone.0,
                    mail_kind(due.kind),
                    due.sequence,
                    &from,
                )
            }),
            from,
            to: announce.to.clone(),
            reply_to: announce.reply_to.clone(),
            subject: rendered.subject,
            in_reply_to: warning_id.filter(|_| due.kind != AnnouncementKind::Warning),
            date: snapshot.now,
            body: rendered.body,
        };
        let items = current_items(&snapshot.state, due.milestone)
            .into_iter()
            .collect();
        Ok((outgoing, key, items))
    }

    /// The work a sent mail implies: after the warning, every open item's
    /// gate may turn green and the block gains its "warning sent" line.
    fn after_sent(&self, project: &ProjectContext<'_>, due: DueMail) -> Vec<Work> {
        if due.kind != AnnouncementKind::Warning {
            return Vec::new();
        }
        vec![
            Work::RenderBlock {
                forge: project.kind,
                project: project.path.clone(),
                milestone: due.milestone,
            },
            Work::Reevaluate {
                forge: project.kind,
                project: project.path.clone(),
            },
        ]
    }

    /// `schemagate announce`: previews, or sends once, the `kind` mail of the
    /// milestone titled `title`.
    pub async fn announce(
        &self,
        project: &crate::config::ProjectConfig,
        title: &str,
        kind: AnnouncementKind,
        preview: bool,
    ) -> anyhow::Result<AnnounceOutcome> {
        let project = self.context_for(project).map_err(Failure::into_error)?;
        let snapshot = self
            .announcement_snapshot(&project)
            .await
            .map_err(Failure::into_error)?;
        let milestone = snapshot
            .milestones
            .iter()
            .find(|m| m.title == title)
            .or_else(|| {
                snapshot
                    .milestones
                    .iter()
                    .find(|m| m.title.eq_ignore_ascii_case(title))
            })
            .ok_or_else(|| {
                anyhow::anyhow!("{} has no milestone titled `{title}`", project.config.path)
            })?;
        let ledger = ledger_entries(&snapshot.rows);
        let sequence = match kind {
            AnnouncementKind::Update => next_update_sequence(&ledger, milestone.id).unwrap_or_else(
                // The latest update failed for good: the command retries it.
                || {
                    ledger
                        .iter()
                        .filter(|e| e.milestone == milestone.id && e.kind == kind)
                        .map(|e| e.sequence)
                        .max()
                        .unwrap_or(1)
                },
            ),
            _ => 0,
        };
        let due = DueMail {
            milestone: milestone.id,
            kind,
            sequence,
        };
        if preview {
            let (outgoing, _, _) = self
                .compose(&project, &snapshot, due)
                .await
                .map_err(Failure::into_error)?;
            return Ok(AnnounceOutcome::Preview(outgoing.preview()));
        }
        if let Some(sent) = snapshot.rows.iter().find(|r| {
            r.milestone == due.milestone
                && r.kind == due.kind
                && r.sequence == due.sequence
                && r.state == AnnouncementState::Sent
        }) {
            return Ok(AnnounceOutcome::AlreadySent {
                sent_at: sent.sent_at_ms.and_then(DateTime::from_timestamp_millis),
            });
        }
        if kind == AnnouncementKind::Update {
            let current = current_items(&snapshot.state, milestone.id);
            if !batch_delta(&ledger, milestone.id, &current).worth_an_update() {
                let since = ledger
                    .iter()
                    .filter(|e| e.milestone == milestone.id && e.state == LedgerState::Sent)
                    .filter_map(|e| e.sent_at)
                    .max();
                return Ok(AnnounceOutcome::NothingNew { since });
            }
        }
        self.send_announcement(&project, &snapshot, due, Intent::Command)
            .await
            .map_err(Failure::into_error)
    }
}

fn milestone_title(snapshot: &Snapshot, milestone: MilestoneId) -> String {
    snapshot
        .milestones
        .iter()
        .find(|m| m.id == milestone)
        .map_or_else(|| format!("milestone {milestone}"), |m| m.title.clone())
}
