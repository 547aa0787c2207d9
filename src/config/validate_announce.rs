//! Validation of a project's `announce` table: recipients, trigger, update
//! mails, upgrade steps and policy, and the templates directory.

use crate::config::checks::{self, Problem};
use crate::config::model::*;
use crate::config::raw::{Field, RawAnnounce};
use crate::config::report::Report;
use crate::config::validate::{FileCheck, duration};
use crate::config::validate_project::non_empty;
use crate::core::upgrade::UpgradePolicy;
use std::time::Duration;

pub fn announce(
    raw: &RawAnnounce,
    table: &Field<RawAnnounce>,
    key: &str,
    report: &mut Report<'_>,
    files: &FileCheck<'_>,
) -> Option<AnnounceConfig> {
    let at = |name: &str| format!("{key}.{name}");
    let to = recipients(raw, table, key, report);
    let reply_to = report.parse_or(&raw.reply_to, &at("reply_to"), None, |t| {
        checks::mailbox(t).map(Some)
    });
    let trigger = report.parse_or(
        &raw.trigger,
        &at("trigger"),
        AnnounceTrigger::WorkStarts,
        |name| {
            let fix = format!("write one of {}", AnnounceTrigger::NAMES.join(", "));
            AnnounceTrigger::from_name(name)
                .ok_or_else(|| Problem::new(format!("unknown trigger `{name}`"), fix))
        },
    );
    let updates = updates(raw, table, key, report);
    let upgrade_policy =
        report.parse_or(&raw.upgrade_policy, &at("upgrade_policy"), None, |name| {
            let fix = format!("write one of {}", UpgradePolicy::NAMES.join(", "));
            UpgradePolicy::from_name(name)
                .map(Some)
                .ok_or_else(|| Problem::new(format!("unknown upgrade policy `{name}`"), fix))
        });
    let templates_dir = report.parse_or(&raw.templates_dir, &at("templates_dir"), None, |t| {
        files.existing(t, true).map(Some)
    });
    let steps = non_empty(
        report,
        &raw.upgrade_steps,
        &at("upgrade_steps"),
        "empty upgrade step",
        "remove it or write the step",
    );
    let release_notice = report.get(&raw.release_notice, &at("release_notice"));
    Some(AnnounceConfig {
        to: to.into_iter().collect::<Option<Vec<_>>>()?,
        reply_to: reply_to?,
        trigger: trigger?,
        updates: updates?,
        release_notice: release_notice.copied().unwrap_or(false),
        upgrade_steps: steps
            .unwrap_or_default()
            .iter()
            .map(|s| s.to_string())
            .collect(),
        upgrade_policy: upgrade_policy?,
        templates_dir: templates_dir?,
    })
}

/// The checked addresses of `to`; a `None` among them fails the table.
fn recipients(
    raw: &RawAnnounce,
    table: &Field<RawAnnounce>,
    key: &str,
    report: &mut Report<'_>,
) -> Vec<Option<String>> {
    let to_key = format!("{key}.to");
    match report.list(&raw.to, &to_key) {
        Some(list) if !list.is_empty() => list
            .iter()
            .map(|(path, item, _)| report.parse(*item, path, |t| checks::mailbox(t)))
            .collect::<Vec<_>>(),
        None if raw.to.is_some() => vec![None],
        _ => {
            let fix = "add `to = [\"announce@example.org\"]`, or remove the `announce` table to send nothing";
            report.at(
                &raw.to.as_ref().map_or(&table.span, |to| &to.span).clone(),
                &to_key,
                "no recipients for the downtime warning",
                fix,
            );
            vec![None]
        }
    }
}

fn updates(
    raw: &RawAnnounce,
    table: &Field<RawAnnounce>,
    key: &str,
    report: &mut Report<'_>,
) -> Option<Updates> {
    let (updates_key, interval_key) = (format!("{key}.updates"), format!("{key}.digest_interval"));
    let mode = report
        .get(&raw.updates, &updates_key)
        .map_or("none", String::as_str);
    let updates_span = raw
        .updates
        .as_ref()
        .map_or(&table.span, |field| &field.span);
    match (mode, &raw.digest_interval) {
        ("none", None) => return Some(Updates::None),
        ("none", Some(_)) => {
            let fix = "set `updates = \"digest\"` or remove `digest_interval`";
            report.at(
                &table.key_span("digest_interval"),
                &interval_key,
                "`digest_interval` has no effect with updates = \"none\"",
                fix,
            );
        }
        ("digest", Some(_)) => {
            let interval = duration(
                report,
                &raw.digest_interval,
                &interval_key,
                Duration::from_secs(60)..=MAX_DIGEST_INTERVAL,
            );
            return interval.map(|interval| Updates::Digest { interval });
        }
        ("digest", None) => {
            let fix = "add `digest_interval = \"1d\"` (at most one update mail per interval)";
            report.at(
                updates_span,
                &updates_key,
                "`updates = \"digest\"` needs `digest_interval`",
                fix,
            );
        }
        (other, _) => report.at(
            updates_span,
            &updates_key,
            format!("unknown updates mode `{other}`"),
            "write \"none\" or \"digest\"",
        ),
    }
    None
}
