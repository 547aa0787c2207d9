//! One announcement mail put together: the milestone it is about, the
//! template rendered with its context, the ledger key, and the Message-ID
//! (the ledger's, for a resend) threaded under the milestone's warning.

use crate::core::announcements::{AnnouncementKind, DueMail};
use crate::engine::announce::mail_service;
use crate::engine::announce::{Snapshot, mail_kind};
use crate::engine::failure::{Failure, Step, Unrunnable};
use crate::engine::mail_context::change_key;
use crate::engine::mail_context::mail_context;
use crate::engine::project::ProjectContext;
use crate::mail::{OutgoingMail, message_id};
use crate::store::AnnouncementKey;

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
    let rendered = templates
        .render(mail_kind(due.kind), &context)
        .map_err(|e| Failure::Unrunnable(Unrunnable::Template(e)))?;
    let key = AnnouncementKey {
        forge: project.kind,
        project: project.config.path.to_string(),
        milestone: due.milestone,
        kind: due.kind,
        sequence: due.sequence,
    };
    let from = service.mailer().from().to_string();
    let outgoing = OutgoingMail {
        message_id: chosen_message_id(project, snapshot, &key, &from),
        from,
        to: announce.to.clone(),
        reply_to: announce.reply_to.clone(),
        subject: rendered.subject,
        in_reply_to: warning_message_id(snapshot, due),
        date: snapshot.now,
        body: rendered.body,
    };
    // What the mail names: the batch now, or what the release shipped.
    let items = context.changes.iter().map(change_key).collect();
    Ok((outgoing, key, items))
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
        message_id(
            project.kind.name(),
            &project.config.path,
            key.milestone.0,
            mail_kind(key.kind),
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
