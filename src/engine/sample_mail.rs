//! `schemagate announce --preview --sample`: one mail as the announce list
//! would receive it, put together from the configuration alone (the
//! project, its list and reply-to, the upgrade steps, the sender, the
//! templates) around the sample release of [`MailContext::sample`], so a
//! maintainer can read the mails before the bot ever runs. Only the
//! milestone, its database changes and the dates are made up; no forge,
//! store, SMTP server or secret is touched.

use crate::config::{Config, ProjectConfig};
use crate::core::announcements::AnnouncementKind;
use crate::core::ids::{ForgeKind, ItemKind, ItemNumber};
use crate::core::types::MilestoneId;
use crate::engine::compose::{Threading, assemble, first_message_id};
use crate::engine::failure::{Failure, Unrunnable};
use crate::engine::mail_context::{MailFacts, change_info, change_item, change_key, context_from};
use crate::engine::mail_service::{MailSetupError, project_templates};
use crate::mail::{ChangeInfo, MailContext, MilestoneInfo, OutgoingMail};
use chrono::{DateTime, TimeZone, Utc};

/// The sample milestone's id (its page in the sample is `…/milestones/42`).
const SAMPLE_MILESTONE: MilestoneId = MilestoneId(42);

/// The `kind` mail of `project` about the sample release (titled `title`
/// when given), with the headers and body a send would carry: the sender
/// from `[mail]`, the list and reply-to from the `announce` table, the
/// project's templates. Errors are one sentence each (or the list of
/// broken templates, as `serve` gives it).
pub(crate) fn sample_mail(
    config: &Config,
    project: &ProjectConfig,
    kind: AnnouncementKind,
    title: Option<&str>,
) -> anyhow::Result<OutgoingMail> {
    let unrunnable = |why| Failure::Unrunnable(why).into_error();
    let announce = project
        .announce
        .as_ref()
        .ok_or_else(|| unrunnable(Unrunnable::NoAnnounceTable(project.path.clone())))?;
    let mail = config
        .mail
        .as_ref()
        .ok_or_else(|| unrunnable(Unrunnable::NoMail))?;
    let templates = project_templates(announce).map_err(MailSetupError::Templates)?;
    let context = sample_context(config, project, kind, title);
    let from = mail.from.as_str();
    let message_id = |kind, sequence| {
        first_message_id(
            project.forge,
            &project.path,
            SAMPLE_MILESTONE,
            kind,
            sequence,
            from,
        )
    };
    // The first update, threaded under the warning like every later mail.
    let sequence = u32::from(kind == AnnouncementKind::Update);
    let threading = Threading {
        message_id: message_id(kind, sequence),
        in_reply_to: (kind != AnnouncementKind::Warning)
            .then(|| message_id(AnnouncementKind::Warning, 0)),
        date: sample_date(kind),
    };
    assemble(&templates, from, announce, kind, &context, threading)
        .map_err(|error| unrunnable(Unrunnable::Template(error)))
}

/// The template context: the sample's milestone, changes and dates, said
/// as `project`'s forge says them, with everything the configuration
/// decides taken from it exactly as for a real mail.
pub(crate) fn sample_context(
    config: &Config,
    project: &ProjectConfig,
    kind: AnnouncementKind,
    title: Option<&str>,
) -> MailContext {
    let sample = MailContext::sample();
    let forge = project.forge;
    let page = config.project_web_url(project);
    let page = page.as_deref();
    let changes = sample
        .changes
        .iter()
        .map(|change| restyled(forge, page, change))
        .collect();
    let keys = |changes: &[ChangeInfo]| changes.iter().map(change_key).collect();
    let (added, removed) = match kind {
        AnnouncementKind::Update => (keys(&sample.added), keys(&sample.removed)),
        _ => (Vec::new(), Vec::new()),
    };
    let facts = MailFacts {
        milestone: MilestoneInfo::new(
            title.unwrap_or(&sample.milestone.title),
            page.map(|page| milestone_page(forge, page)),
            sample.milestone.due_date.clone(),
            sample.milestone.start_date.clone(),
        ),
        changes,
        added,
        removed,
        // A warning is composed before it went out.
        warning_sent_on: match kind {
            AnnouncementKind::Warning => None,
            _ => sample.warning_sent_on.clone(),
        },
    };
    let upgrade_path = sample.upgrade_path.clone();
    context_from(project, kind, facts, |_| upgrade_path)
}

fn milestone_page(forge: ForgeKind, project_page: &str) -> String {
    let id = SAMPLE_MILESTONE.0;
    match forge {
        ForgeKind::GitLab => format!("{project_page}/-/milestones/{id}"),
        ForgeKind::GitHub => format!("{project_page}/milestone/{id}"),
    }
}

/// A sample change as `forge` names it ("pull request #2714"), its page
/// under the project's, or none when that is not known.
fn restyled(forge: ForgeKind, project_page: Option<&str>, change: &ChangeInfo) -> ChangeInfo {
    let (kind, number) = change_item(change);
    let web_url = project_page.map(|page| change_page(forge, page, kind, number));
    change_info(
        forge,
        kind,
        number,
        &change.title,
        web_url,
        change.migrations.clone(),
    )
}

fn change_page(forge: ForgeKind, project_page: &str, kind: ItemKind, number: ItemNumber) -> String {
    let path = match (forge, kind) {
        (ForgeKind::GitLab, ItemKind::MergeRequest) => "-/merge_requests",
        (ForgeKind::GitLab, ItemKind::Issue) => "-/issues",
        (ForgeKind::GitHub, ItemKind::MergeRequest) => "pull",
        (ForgeKind::GitHub, ItemKind::Issue) => "issues",
    };
    format!("{project_page}/{path}/{number}")
}

/// When each sample mail is dated: the warning as work starts on the
/// release, the update some weeks later, the notice on the due date.
fn sample_date(kind: AnnouncementKind) -> DateTime<Utc> {
    let (month, day) = match kind {
        AnnouncementKind::Warning => (11, 3),
        AnnouncementKind::Update => (11, 20),
        AnnouncementKind::ReleaseNotice => (12, 15),
    };
    Utc.with_ymd_and_hms(2026, month, day, 9, 30, 0)
        .single()
        .expect("the sample dates exist")
}

#[cfg(test)]
#[path = "sample_mail_tests.rs"]
mod tests;
