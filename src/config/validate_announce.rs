//! Validation of a project's `announce` table: recipients, trigger, update
//! mails, upgrade steps and policy, and the templates directory.

use crate::config::checks;
use crate::config::model::*;
use crate::config::report::Report;
use crate::config::tree::Table;
use crate::config::validate::{FileCheck, duration};
use crate::config::validate_project::non_empty;
use crate::core::upgrade::UpgradePolicy;
use std::time::Duration;

pub const KEYS: &[&str] = &[
    "to",
    "reply_to",
    "trigger",
    "updates",
    "digest_interval",
    "release_notice",
    "upgrade_steps",
    "upgrade_policy",
    "templates_dir",
];

pub fn announce(
    raw: &Table<'_>,
    report: &mut Report<'_>,
    files: &FileCheck<'_>,
) -> Option<AnnounceConfig> {
    let to = recipients(raw, report);
    let reply_to = report.parse_or(raw.get("reply_to"), None, |t| checks::mailbox(t).map(Some));
    let fix = checks::one_of(&AnnounceTrigger::NAMES);
    let trigger = checks::named("trigger", AnnounceTrigger::from_name, fix);
    let trigger = report.parse_or(raw.get("trigger"), AnnounceTrigger::WorkStarts, trigger);
    let updates = updates(raw, report);
    let fix = checks::one_of(&UpgradePolicy::NAMES);
    let policy = checks::named("upgrade policy", UpgradePolicy::from_name, fix);
    let upgrade_policy = report.parse_or(raw.get("upgrade_policy"), None, |t| policy(t).map(Some));
    let templates_dir = raw.get("templates_dir");
    let templates_dir = report.parse_or(templates_dir, None, |t| files.existing(t, true).map(Some));
    let fix = "remove it or write the step";
    let steps = non_empty(report, raw.get("upgrade_steps"), "empty upgrade step", fix);
    let release_notice = report.get(raw.get("release_notice"));
    Some(AnnounceConfig {
        to: to.into_iter().collect::<Option<Vec<_>>>()?,
        reply_to: reply_to?,
        trigger: trigger?,
        updates: updates?,
        release_notice: release_notice.unwrap_or(false),
        upgrade_steps: steps.unwrap_or_default(),
        upgrade_policy: upgrade_policy?,
        templates_dir: templates_dir?,
    })
}

/// The checked addresses of `to`; a `None` among them fails the table.
fn recipients(raw: &Table<'_>, report: &mut Report<'_>) -> Vec<Option<String>> {
    let to = raw.get("to");
    match report.strings(to.clone()) {
        Some(list) if !list.is_empty() => list
            .iter()
            .map(|(item, text)| report.check(item, checks::mailbox(text)))
            .collect(),
        None if to.is_some() => vec![None],
        _ => {
            let fix = "add `to = [\"announce@example.org\"]`, or remove the `announce` table to send nothing";
            let span = to.map_or(raw.span.clone(), |to| to.span);
            let message = "no recipients for the downtime warning";
            report.at(&span, &raw.path_of("to"), message, fix);
            vec![None]
        }
    }
}

fn updates(raw: &Table<'_>, report: &mut Report<'_>) -> Option<Updates> {
    let (updates, interval) = (raw.get("updates"), raw.get("digest_interval"));
    // A wrong type is reported once; nothing else is said about it.
    let mode = match updates.clone() {
        None => "none",
        field => report.get(field)?,
    };
    let updates_span = updates.map_or(raw.span.clone(), |field| field.span);
    let mut at_updates =
        |message: &str, fix| report.at(&updates_span, &raw.path_of("updates"), message, fix);
    match (mode, interval) {
        ("none", None) => return Some(Updates::None),
        ("none", Some(_)) => {
            let fix = "set `updates = \"digest\"` or remove `digest_interval`";
            let message = "`digest_interval` has no effect with updates = \"none\"";
            report.at_key(raw, "digest_interval", message, fix);
        }
        ("digest", Some(interval)) => {
            let range = Duration::from_secs(60)..=MAX_DIGEST_INTERVAL;
            let interval = duration(report, Some(interval), range);
            return interval.map(|interval| Updates::Digest { interval });
        }
        ("digest", None) => at_updates(
            "`updates = \"digest\"` needs `digest_interval`",
            "add `digest_interval = \"1d\"` (at most one update mail per interval)",
        ),
        (other, _) => at_updates(
            &format!("unknown updates mode `{other}`"),
            "write \"none\" or \"digest\"",
        ),
    }
    None
}
