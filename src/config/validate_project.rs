//! Validation of the `[[project]]` tables: forge and path, label, rule packs
//! and globs, release scheme, batching, gate and announcement settings, and the
//! cross-checks between them and the top-level sections.

use crate::config::checks::{self, Problem};
use crate::config::model::*;
use crate::config::raw::{Field, RawAnnounce, RawBatch, RawGate, RawProject, RawReleases};
use crate::config::report::Report;
use crate::config::validate::{FileCheck, Sections, duration};
use crate::core::release::Scheme;
use crate::core::upgrade::UpgradePolicy;
use globset::{GlobBuilder, GlobSetBuilder};
use std::collections::HashMap;
use std::num::NonZeroUsize;
use std::ops::Range;
use std::time::Duration;

type Strings = Option<Field<Vec<Field<String>>>>;

pub fn validate_projects(
    raw: &[Field<RawProject>],
    report: &mut Report<'_>,
    sections: &Sections,
    files: &FileCheck<'_>,
) -> Vec<ProjectConfig> {
    // Keyed on the text as written, so a duplicate is reported even when
    // either table has other errors (and fails validation).
    let mut seen: HashMap<(String, String), Range<usize>> = HashMap::new();
    let mut projects = Vec::new();
    for (index, field) in raw.iter().enumerate() {
        let at = format!("project[{index}]");
        let Some((project, table)) = report.table(field, &at) else {
            continue;
        };
        let valid = validate_project(project, table, &at, report, sections, files);
        if let (
            Some(Field {
                value: Ok(forge), ..
            }),
            Some(Field {
                value: Ok(path),
                span,
                ..
            }),
        ) = (&project.forge, &project.path)
        {
            let key = (
                forge.trim().to_ascii_lowercase(),
                path.trim().to_ascii_lowercase(),
            );
            if let Some(first) = seen.get(&key) {
                let message = format!(
                    "project `{}` is configured twice (first at line {})",
                    path.trim(),
                    report.line_of(first)
                );
                report.at(
                    span,
                    &format!("{at}.path"),
                    message,
                    "merge the two [[project]] tables into one",
                );
                continue;
            }
            seen.insert(key, span.clone());
        }
        projects.extend(valid);
    }
    projects
}

fn validate_project(
    raw: &RawProject,
    table: &Field<RawProject>,
    at: &str,
    report: &mut Report<'_>,
    sections: &Sections,
    files: &FileCheck<'_>,
) -> Option<ProjectConfig> {
    let forge = forge(raw, table, at, report, sections);
    let path_fix = "add `path = \"group/project\"` (GitLab) or `path = \"owner/repo\"` (GitHub)";
    report.required(&raw.path, &format!("{at}.path"), &table.span, path_fix);
    let path = report.parse(&raw.path, &format!("{at}.path"), |t| {
        checks::project_path(forge, t)
    });
    let label = report.parse_or(
        &raw.label,
        &format!("{at}.label"),
        DEFAULT_LABEL.to_string(),
        |text| match text.trim() {
            "" => Err(Problem::new(
                "the label name is empty",
                format!("write a name or leave the key out for \"{DEFAULT_LABEL}\""),
            )),
            text => Ok(text.to_string()),
        },
    );
    let label_color = report.parse_or(
        &raw.label_color,
        &format!("{at}.label_color"),
        DEFAULT_LABEL_COLOR.to_string(),
        |t| checks::label_color(t),
    );
    let rule_packs = rule_packs(raw, at, report, sections.rule_packs.as_deref());
    let extra_paths = globs(&raw.extra_paths, &format!("{at}.extra_paths"), report);
    let ignore_paths = globs(&raw.ignore_paths, &format!("{at}.ignore_paths"), report);
    let keywords = non_empty(
        report,
        &raw.issue_keywords,
        &format!("{at}.issue_keywords"),
        "empty keyword",
        "remove it; an empty word would match every issue",
    );
    let issue_keywords = keywords
        .unwrap_or_default()
        .into_iter()
        .map(str::trim)
        .filter(|word| !word.is_empty());
    let scheme = scheme(
        report.table(&raw.releases, &format!("{at}.releases")),
        table,
        at,
        report,
    );
    let batch = batch(
        report.table(&raw.batch, &format!("{at}.batch")),
        &format!("{at}.batch"),
        report,
    );
    let gate_key = format!("{at}.gate");
    let gate = gate(
        report.table(&raw.gate, &gate_key).map(|(gate, _)| gate),
        &gate_key,
        report,
        raw.announce.is_some(),
    );
    let announce = report.table(&raw.announce, &format!("{at}.announce"));
    let announce = announce.and_then(|(announce, field)| {
        self::announce(announce, field, &format!("{at}.announce"), report, files)
    });
    cross_check(raw, table, at, report, sections, gate);
    Some(ProjectConfig {
        forge: forge?,
        path: path?,
        label: label?,
        label_color: label_color?,
        rule_packs,
        extra_paths: extra_paths?,
        ignore_paths: ignore_paths?,
        issue_keywords: issue_keywords.map(str::to_string).collect(),
        scheme: scheme?,
        batch: batch?,
        gate,
        announce,
    })
}

fn forge(
    raw: &RawProject,
    table: &Field<RawProject>,
    at: &str,
    report: &mut Report<'_>,
    sections: &Sections,
) -> Option<ForgeKind> {
    let key = format!("{at}.forge");
    report.required(
        &raw.forge,
        &key,
        &table.span,
        "add `forge = \"gitlab\"` or `forge = \"github\"`",
    );
    let forge = report.parse(&raw.forge, &key, |t| checks::forge_kind(t))?;
    let (present, section) = match forge {
        ForgeKind::Gitlab => (sections.gitlab, "[gitlab]"),
        ForgeKind::Github => (sections.github, "[github]"),
    };
    if let (false, Some(field)) = (present, &raw.forge) {
        let message = format!(
            "the project is on {} but the file has no {section} section",
            forge.as_str()
        );
        let fix = format!(
            "add a {section} section (its URL and `token_env`) so the bot can reach the forge"
        );
        report.at(&field.span, &key, message, fix);
    }
    Some(forge)
}

fn rule_packs(
    raw: &RawProject,
    at: &str,
    report: &mut Report<'_>,
    known: Option<&[String]>,
) -> Option<Vec<String>> {
    let key = format!("{at}.rule_packs");
    let packs = report.list(&raw.rule_packs, &key)?;
    let no_extra_paths = raw
        .extra_paths
        .as_ref()
        .is_none_or(|field| field.value.as_ref().is_ok_and(Vec::is_empty));
    if let (true, true, Some(field)) = (packs.is_empty(), no_extra_paths, &raw.rule_packs) {
        let fix =
            "leave `rule_packs` out to use every built-in pack, or name some, e.g. [\"django\"]";
        report.at(
            &field.span,
            &key,
            "no rule packs and no extra_paths: nothing would ever be detected",
            fix,
        );
    }
    for (path, item, pack) in &packs {
        if pack.trim().is_empty() {
            report.at(
                &item.span,
                path,
                "empty rule pack name",
                "remove it or write a pack name such as \"django\"",
            );
        } else if let Some(known) = known.filter(|known| !known.iter().any(|name| name == pack)) {
            report.at(
                &item.span,
                path,
                format!("unknown rule pack `{pack}`"),
                format!("use one of: {}", known.join(", ")),
            );
        }
    }
    Some(
        packs
            .into_iter()
            .map(|(_, _, pack)| pack.to_string())
            .collect(),
    )
}

fn globs(field: &Strings, key: &str, report: &mut Report<'_>) -> Option<GlobList> {
    if field.is_none() {
        return Some(GlobList::default());
    }
    let fix = "fix the pattern: `*` matches within one directory, `**` across directories, `{a,b}` alternatives, `[abc]` character classes";
    let items = report.list(field, key)?;
    let globs: Vec<_> = (items.iter())
        .map(|(path, item, pattern)| {
            report.parse(*item, path, |_| {
                let glob = GlobBuilder::new(pattern).literal_separator(true).build();
                glob.map_err(|error| {
                    Problem::new(
                        format!("`{pattern}` is not a valid glob: {}", error.kind()),
                        fix,
                    )
                })
            })
        })
        .collect();
    let mut builder = GlobSetBuilder::new();
    for glob in globs {
        builder.add(glob?);
    }
    let patterns = items
        .iter()
        .map(|(_, _, pattern)| pattern.to_string())
        .collect();
    Some(GlobList {
        patterns,
        set: builder.build().ok()?,
    })
}

/// The strings of a list, each empty one reported.
fn non_empty<'a>(
    report: &mut Report<'_>,
    field: &'a Strings,
    key: &str,
    message: &str,
    fix: &str,
) -> Option<Vec<&'a str>> {
    let items = report.list(field, key)?;
    for (path, item, _) in items.iter().filter(|(_, _, text)| text.trim().is_empty()) {
        report.at(&item.span, path, message, fix);
    }
    Some(items.into_iter().map(|(_, _, text)| text).collect())
}

fn scheme(
    releases: Option<(&RawReleases, &Field<RawReleases>)>,
    project: &Field<RawProject>,
    at: &str,
    report: &mut Report<'_>,
) -> Option<Scheme> {
    let key = format!("{at}.releases");
    let example = "write `releases = { scheme = \"calver\" }` (calver, semver, yy.mm.patch) or `releases = { title_regex = \"^v(?P<version>[0-9.]+)$\" }`";
    let missing = "missing release scheme: milestones cannot be recognised as releases";
    let Some((raw, field)) = releases else {
        report.at(&project.span, &key, missing, example);
        return None;
    };
    match (&raw.scheme, &raw.title_regex) {
        (None, None) => report.at(&field.span, &key, missing, example),
        (Some(_), Some(regex)) => report.at(
            &regex.span,
            &format!("{key}.title_regex"),
            "both `scheme` and `title_regex` are set",
            "keep exactly one of them",
        ),
        (Some(scheme), None) => {
            let fix = format!(
                "write one of {}, or use `title_regex` for other titles",
                Scheme::NAMES.join(", ")
            );
            return report.parse(scheme, &format!("{key}.scheme"), |name| {
                Scheme::from_name(name)
                    .ok_or_else(|| Problem::new(format!("unknown scheme `{name}`"), fix))
            });
        }
        (None, Some(regex)) => {
            let fix = "write a regex with a named group holding a dotted version, e.g. \"^Release (?P<version>[0-9]+(\\\\.[0-9]+)*)$\"";
            return report.parse(regex, &format!("{key}.title_regex"), |pattern| {
                Scheme::title_regex(pattern)
                    .map_err(|message| Problem::new(last_error_line(&message), fix))
            });
        }
    }
    None
}

/// Regex syntax errors span several lines (pattern, caret, reason); keep the reason.
fn last_error_line(message: &str) -> String {
    let reason = message
        .lines()
        .rev()
        .find_map(|line| line.trim().strip_prefix("error: "));
    match reason {
        Some(reason) => format!("invalid regex: {reason}"),
        None => message.lines().next().unwrap_or(message).to_string(),
    }
}

fn batch(
    raw: Option<(&RawBatch, &Field<RawBatch>)>,
    key: &str,
    report: &mut Report<'_>,
) -> Option<BatchConfig> {
    let defaults = BatchConfig::default();
    let Some((raw, _)) = raw else {
        return Some(defaults);
    };
    let max_open_batches = report.parse_or(&raw.max_open_batches, &format!("{key}.max_open_batches"), defaults.max_open_batches, |&count| {
        let fix = "write 1 or more (the default, 1, keeps all database changes of a cycle in one release)";
        let valid = usize::try_from(count).ok().and_then(NonZeroUsize::new);
        valid.ok_or_else(|| Problem::new(format!("{count} batches cannot hold any database change"), fix))
    });
    let lead_time = match raw.lead_time {
        None => Some(defaults.lead_time),
        Some(_) => duration(
            report,
            &raw.lead_time,
            &format!("{key}.lead_time"),
            Duration::ZERO..=MAX_LEAD_TIME,
        ),
    };
    let assign_milestone = report.get(&raw.assign_milestone, &format!("{key}.assign_milestone"));
    Some(BatchConfig {
        max_open_batches: max_open_batches?,
        lead_time: lead_time?,
        assign_milestone: assign_milestone
            .copied()
            .unwrap_or(defaults.assign_milestone),
    })
}

/// The gate switches; `require_announcement` defaults to on only for a
/// project that announces (one without an `announce` table has no warning to
/// wait for).
fn gate(
    raw: Option<&RawGate>,
    key: &str,
    report: &mut Report<'_>,
    announces: bool,
) -> GateSwitches {
    let defaults = GateSwitches {
        require_announcement: announces,
        ..GateSwitches::default()
    };
    let Some(raw) = raw else {
        return defaults;
    };
    let mut switch = |field: &Option<Field<bool>>, name: &str, default: bool| {
        report
            .get(field, &format!("{key}.{name}"))
            .copied()
            .unwrap_or(default)
    };
    GateSwitches {
        block_ahead_of_next_release: switch(
            &raw.block_ahead_of_next_release,
            "block_ahead_of_next_release",
            defaults.block_ahead_of_next_release,
        ),
        require_batch: switch(&raw.require_batch, "require_batch", defaults.require_batch),
        require_announcement: switch(
            &raw.require_announcement,
            "require_announcement",
            defaults.require_announcement,
        ),
    }
}

fn announce(
    raw: &RawAnnounce,
    table: &Field<RawAnnounce>,
    key: &str,
    report: &mut Report<'_>,
    files: &FileCheck<'_>,
) -> Option<AnnounceConfig> {
    let to_key = format!("{key}.to");
    let to = match report.list(&raw.to, &to_key) {
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
    };
    let reply_to = report.parse_or(&raw.reply_to, &format!("{key}.reply_to"), None, |t| {
        checks::mailbox(t).map(Some)
    });
    let trigger = report.parse_or(
        &raw.trigger,
        &format!("{key}.trigger"),
        AnnounceTrigger::WorkStarts,
        |name| {
            let fix = format!("write one of {}", AnnounceTrigger::NAMES.join(", "));
            AnnounceTrigger::from_name(name)
                .ok_or_else(|| Problem::new(format!("unknown trigger `{name}`"), fix))
        },
    );
    let updates = updates(raw, table, key, report);
    let upgrade_policy = report.parse_or(
        &raw.upgrade_policy,
        &format!("{key}.upgrade_policy"),
        None,
        |name| {
            let fix = format!("write one of {}", UpgradePolicy::NAMES.join(", "));
            UpgradePolicy::from_name(name)
                .map(Some)
                .ok_or_else(|| Problem::new(format!("unknown upgrade policy `{name}`"), fix))
        },
    );
    let templates_dir = report.parse_or(
        &raw.templates_dir,
        &format!("{key}.templates_dir"),
        None,
        |t| files.existing(t, true).map(Some),
    );
    let steps = non_empty(
        report,
        &raw.upgrade_steps,
        &format!("{key}.upgrade_steps"),
        "empty upgrade step",
        "remove it or write the step",
    );
    let release_notice = report.get(&raw.release_notice, &format!("{key}.release_notice"));
    Some(AnnounceConfig {
        to: to.into_iter().collect::<Option<Vec<_>>>()?,
        reply_to: reply_to?,
        trigger: trigger?,
        updates: updates?,
        release_notice: release_notice.copied().unwrap_or(false),
        upgrade_steps: steps
            .unwrap_or_default()
            .into_iter()
            .map(str::to_string)
            .collect(),
        upgrade_policy: upgrade_policy?,
        templates_dir: templates_dir?,
    })
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

/// Checks that need more than one table of the project.
fn cross_check(
    raw: &RawProject,
    table: &Field<RawProject>,
    at: &str,
    report: &mut Report<'_>,
    sections: &Sections,
    gate: GateSwitches,
) {
    if let (Some(announce), false) = (&raw.announce, sections.mail) {
        let fix = "add [mail] with `smtp_url` and `from`, or remove the `announce` table";
        report.at(
            &announce.span,
            &format!("{at}.announce"),
            "the project announces by mail but the file has no [mail] section",
            fix,
        );
    }
    if raw.announce.is_none() && gate.require_announcement {
        let gate_table = raw
            .gate
            .as_ref()
            .and_then(|gate| gate.value.as_ref().ok().map(|raw| (gate, raw)));
        let switch = gate_table
            .and_then(|(_, raw)| raw.require_announcement.as_ref())
            .map(|field| &field.span);
        let span = switch
            .or(gate_table.map(|(gate, _)| &gate.span))
            .unwrap_or(&table.span);
        let message = "`require_announcement = true` but the project has no `announce` table, so no warning is ever sent and no database change could pass the gate";
        let fix = "add `announce = { to = [\"announce@example.org\"] }`, or remove `require_announcement`";
        report.at(
            span,
            &format!("{at}.gate.require_announcement"),
            message,
            fix,
        );
    }
}
