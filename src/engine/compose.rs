//! One announcement mail put together: the milestone it is about, the
//! template rendered with its context, the ledger key, and the Message-ID
//! (the ledger's, for a resend) threaded under the milestone's warning.

use crate::config::AnnounceConfig;
use crate::core::announcements::{AnnouncementKind, DueMail};
use crate::core::ids::ForgeKind;
use crate::core::types::MilestoneId;
use crate::engine::announce::mail_service;
use crate::engine::announce::{Snapshot, mail_kind};
use crate::engine::failure::{Failure, Step, Unrunnable};
use crate::engine::mail_context::change_key;
use crate::engine::mail_context::mail_context;
use crate::engine::project::ProjectContext;
use crate::mail::{MailContext, OutgoingMail, TemplateError, Templates, message_id};
use crate::store::AnnouncementKey;
use chrono::{DateTime, Utc};

/// The mail for `due`, its ledger key and the items it lists.
pub(crate) async fn compose(
    project: &ProjectContext<'_>,
    snapshot: &Snapshot,
    due: DueMail,
) -> Step<(OutgoingMail, AnnouncementKey, Vec<String>)> {
    let service = mail_service(project.engine)?;
    let announce = project.config.announce.as_ref().ok_or_else(|| {
        Failure::Unrunnable(Unrunnable::NoAnnounceTable(project.config.path.clone()))
    })?;
    let milestone = snapshot
        .milestones
        .iter()
        .find(|m| m.id == due.milestone)
        .ok_or(Failure::Unrunnable(Unrunnable::MilestoneGone(
            due.milestone,
        )))?;
    let ledger = crate::engine::announce::ledger_entries(&snapshot.rows);
    let context = mail_context(
        project,
        milestone,
        &snapshot.milestones,
        &snapshot.state,
        &ledger,
        due.kind,
    )
    .await?;
    let templates = service.templates(project.config.forge, &project.config.path);
    let key = AnnouncementKey {
        forge: project.kind,
        project: project.config.path.to_string(),
        milestone: due.milestone,
        kind: due.kind,
        sequence: due.sequence,
    };
    let from = service.mailer().from();
    let threading = Threading {
        message_id: chosen_message_id(project, snapshot, &key, from),
        in_reply_to: warning_message_id(snapshot, due),
        date: snapshot.now,
    };
    let outgoing = assemble(&templates, from, announce, due.kind, &context, threading)
        .map_err(|e| Failure::Unrunnable(Unrunnable::Template(e)))?;
    // What the mail names: the batch now, or what the release shipped.
    let items = context.changes.iter().map(change_key).collect();
    Ok((outgoing, key, items))
}

/// The headers that place a mail among the others: its own Message-ID,
/// the warning it answers, its date.
pub(crate) struct Threading {
    pub message_id: String,
    pub in_reply_to: Option<String>,
    pub date: DateTime<Utc>,
}

/// A `kind` mail: `context` rendered by the project's `templates`, from
/// `from` to the announce list. Pure: the server's mails and `announce
/// --preview --sample` are both put together here.
pub(crate) fn assemble(
    templates: &Templates,
    from: &str,
    announce: &AnnounceConfig,
    kind: AnnouncementKind,
    context: &MailContext,
    threading: Threading,
) -> Result<OutgoingMail, TemplateError> {
    let rendered = templates.render(mail_kind(kind), context)?;
    Ok(OutgoingMail {
        message_id: threading.message_id,
        from: from.to_string(),
        to: announce.to.clone(),
        reply_to: announce.reply_to.clone(),
        subject: rendered.subject,
        in_reply_to: threading.in_reply_to,
        date: threading.date,
        body: rendered.body,
    })
}

/// The Message-ID a mail gets when it is first begun (see [`message_id`]).
pub(crate) fn first_message_id(
    forge: ForgeKind,
    path: &str,
    milestone: MilestoneId,
    kind: AnnouncementKind,
    sequence: u32,
    from: &str,
) -> String {
    message_id(
        forge.name(),
        path,
        milestone.0,
        mail_kind(kind),
        sequence,
        from,
    )
}

/// The ledger row's Message-ID when the mail was begun before (a resend is
/// recognisably the same mail), else a new one.
fn chosen_message_id(
    project: &ProjectContext<'_>,
    snapshot: &Snapshot,
    key: &AnnouncementKey,
    from: &str,
) -> String {
    let existing = snapshot
        .rows
        .iter()
        .find(|r| r.milestone == key.milestone && r.kind == key.kind && r.sequence == key.sequence);
    existing.map(|r| r.message_id.clone()).unwrap_or_else(|| {
        first_message_id(
            project.kind,
            &project.config.path,
            key.milestone,
            key.kind,
            key.sequence,
            from,
        )
    })
}

/// Updates and the release notice thread under the milestone's warning.
fn warning_message_id(snapshot: &Snapshot, due: DueMail) -> Option<String> {
    if due.kind == AnnouncementKind::Warning {
        return None;
    }
    snapshot
        .rows
        .iter()
        .find(|r| r.milestone == due.milestone && r.kind == AnnouncementKind::Warning)
        .map(|r| r.message_id.clone())
}
