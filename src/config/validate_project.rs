//! Validation of the `[[project]]` tables: forge and path, label, rule packs
//! and globs, release scheme, batching, gate and announcement settings, and the
//! cross-checks between them and the top-level sections.

use crate::config::checks;
use crate::config::model::*;
use crate::config::raw::{RawAnnounce, RawBatch, RawGate, RawProject, RawReleases};
use crate::config::report::Report;
use crate::config::validate::{FileCheck, Sections, check, duration};
use crate::core::release::Scheme;
use crate::core::upgrade::UpgradePolicy;
use globset::{GlobBuilder, GlobSetBuilder};
use std::collections::HashMap;
use std::num::NonZeroUsize;
use std::time::Duration;

pub fn validate_projects(
    raw: &[RawProject],
    report: &mut Report<'_>,
    sections: &Sections,
    files: &FileCheck<'_>,
) -> Vec<ProjectConfig> {
    // Keyed on the text as written, so a duplicate is reported even when
    // either table has other errors (and fails validation).
    let mut seen: HashMap<(String, String), usize> = HashMap::new();
    let mut projects = Vec::new();
    for (index, project) in raw.iter().enumerate() {
        let at = format!("project[{index}]");
        let valid = validate_project(project, &at, report, sections, files);
        if let (Some(forge), Some(path)) = (project.forge.as_deref(), project.path.as_deref()) {
            let key = (
                forge.trim().to_ascii_lowercase(),
                path.trim().to_ascii_lowercase(),
            );
            if let Some(first) = seen.get(&key) {
                let first_line = report.line_of(&format!("project[{first}].path"));
                report.value(
                    &format!("{at}.path"),
                    format!(
                        "project `{}` is configured twice (first at line {first_line})",
                        path.trim()
                    ),
                    "merge the two [[project]] tables into one",
                );
                continue;
            }
            seen.insert(key, index);
        }
        projects.extend(valid);
    }
    projects
}

fn validate_project(
    raw: &RawProject,
    at: &str,
    report: &mut Report<'_>,
    sections: &Sections,
    files: &FileCheck<'_>,
) -> Option<ProjectConfig> {
    let forge = forge(raw, at, report, sections);
    let path = match raw.path.as_deref() {
        Some(text) => check(
            report,
            &format!("{at}.path"),
            checks::project_path(forge, text),
        ),
        None => {
            report.value(
                &format!("{at}.path"),
                "missing key `path`",
                "add `path = \"group/project\"` (GitLab) or `path = \"owner/repo\"` (GitHub)",
            );
            None
        }
    };
    let label = label(raw, at, report);
    let label_color = match raw.label_color.as_deref() {
        Some(text) => check(
            report,
            &format!("{at}.label_color"),
            checks::label_color(text),
        ),
        None => Some(DEFAULT_LABEL_COLOR.to_string()),
    };
    let rule_packs = rule_packs(raw, at, report, sections.rule_packs.as_deref());
    let extra_paths = globs(&raw.extra_paths, &format!("{at}.extra_paths"), report);
    let ignore_paths = globs(&raw.ignore_paths, &format!("{at}.ignore_paths"), report);
    let issue_keywords = issue_keywords(&raw.issue_keywords, at, report);
    let scheme = scheme(raw.releases.as_ref(), at, report);
    let batch = batch(raw.batch.as_ref(), &format!("{at}.batch"), report);
    let gate = gate(raw.gate.as_ref(), raw.announce.is_some());
    let announce = raw
        .announce
        .as_ref()
        .and_then(|announce| self::announce(announce, &format!("{at}.announce"), report, files));
    cross_check(raw, at, report, sections, gate);
    Some(ProjectConfig {
        forge: forge?,
        path: path?,
        label: label?,
        label_color: label_color?,
        rule_packs,
        extra_paths: extra_paths?,
        ignore_paths: ignore_paths?,
        issue_keywords,
        scheme: scheme?,
        batch: batch?,
        gate,
        announce,
    })
}

fn forge(
    raw: &RawProject,
    at: &str,
    report: &mut Report<'_>,
    sections: &Sections,
) -> Option<ForgeKind> {
    let key = format!("{at}.forge");
    let Some(text) = raw.forge.as_deref() else {
        report.value(
            &key,
            "missing key `forge`",
            "add `forge = \"gitlab\"` or `forge = \"github\"`",
        );
        return None;
    };
    let forge = check(report, &key, checks::forge_kind(text))?;
    let (present, section) = match forge {
        ForgeKind::GitLab => (sections.gitlab, "[gitlab]"),
        ForgeKind::GitHub => (sections.github, "[github]"),
    };
    if !present {
        report.value(
            &key,
            format!(
                "the project is on {} but the file has no {section} section",
                forge.name()
            ),
            format!(
                "add a {section} section (its URL and `token_env`) so the bot can reach the forge"
            ),
        );
    }
    Some(forge)
}

fn label(raw: &RawProject, at: &str, report: &mut Report<'_>) -> Option<String> {
    match raw.label.as_deref() {
        None => Some(DEFAULT_LABEL.to_string()),
        Some(text) if text.trim().is_empty() => {
            report.value(
                &format!("{at}.label"),
                "the label name is empty",
                format!("write a name or leave the key out for \"{DEFAULT_LABEL}\""),
            );
            None
        }
        Some(text) => Some(text.trim().to_string()),
    }
}

fn rule_packs(
    raw: &RawProject,
    at: &str,
    report: &mut Report<'_>,
    known: Option<&[String]>,
) -> Option<Vec<String>> {
    let packs = raw.rule_packs.as_ref()?;
    if packs.is_empty() && raw.extra_paths.is_empty() {
        report.value(
            &format!("{at}.rule_packs"),
            "no rule packs and no extra_paths: nothing would ever be detected",
            "leave `rule_packs` out to use every built-in pack, or name some, e.g. [\"django\"]",
        );
    }
    for (index, pack) in packs.iter().enumerate() {
        if pack.trim().is_empty() {
            report.value(
                &format!("{at}.rule_packs[{index}]"),
                "empty rule pack name",
                "remove it or write a pack name such as \"django\"",
            );
        } else if let Some(known) = known.filter(|known| !known.contains(pack)) {
            report.value(
                &format!("{at}.rule_packs[{index}]"),
                format!("unknown rule pack `{pack}`"),
                format!("use one of: {}", known.join(", ")),
            );
        }
    }
    Some(packs.clone())
}

fn globs(patterns: &[String], key: &str, report: &mut Report<'_>) -> Option<GlobList> {
    let mut builder = GlobSetBuilder::new();
    let mut valid = true;
    for (index, pattern) in patterns.iter().enumerate() {
        match GlobBuilder::new(pattern).literal_separator(true).build() {
            Ok(glob) => {
                builder.add(glob);
            }
            Err(error) => {
                valid = false;
                report.value(
                    &format!("{key}[{index}]"),
                    format!("`{pattern}` is not a valid glob: {}", error.kind()),
                    "fix the pattern: `*` matches within one directory, `**` across directories, `{a,b}` alternatives, `[abc]` character classes",
                );
            }
        }
    }
    let set = builder.build().ok().filter(|_| valid)?;
    Some(GlobList {
        patterns: patterns.to_vec(),
        set,
    })
}

fn issue_keywords(keywords: &[String], at: &str, report: &mut Report<'_>) -> Vec<String> {
    for (index, keyword) in keywords.iter().enumerate() {
        if keyword.trim().is_empty() {
            report.value(
                &format!("{at}.issue_keywords[{index}]"),
                "empty keyword",
                "remove it; an empty word would match every issue",
            );
        }
    }
    keywords
        .iter()
        .map(|keyword| keyword.trim().to_string())
        .filter(|keyword| !keyword.is_empty())
        .collect()
}

fn scheme(raw: Option<&RawReleases>, at: &str, report: &mut Report<'_>) -> Option<Scheme> {
    let key = format!("{at}.releases");
    let names = Scheme::NAMES.join(", ");
    let example = "write `releases = { scheme = \"calver\" }` (calver, semver, yy.mm.patch) or `releases = { title_regex = \"^v(?P<version>[0-9.]+)$\" }`";
    match raw.map(|r| (r.scheme.as_deref(), r.title_regex.as_deref())) {
        None | Some((None, None)) => {
            report.value(
                &key,
                "missing release scheme: milestones cannot be recognised as releases",
                example,
            );
            None
        }
        Some((Some(_), Some(_))) => {
            report.value(
                &format!("{key}.title_regex"),
                "both `scheme` and `title_regex` are set",
                "keep exactly one of them",
            );
            None
        }
        Some((Some(name), None)) => {
            let scheme = Scheme::from_name(name);
            if scheme.is_none() {
                report.value(
                    &format!("{key}.scheme"),
                    format!("unknown scheme `{name}`"),
                    format!("write one of {names}, or use `title_regex` for other titles"),
                );
            }
            scheme
        }
        Some((None, Some(pattern))) => match Scheme::title_regex(pattern) {
            Ok(scheme) => Some(scheme),
            Err(message) => {
                report.value(
                    &format!("{key}.title_regex"),
                    last_error_line(&message),
                    "write a regex with a named group holding a dotted version, e.g. \"^Release (?P<version>[0-9]+(\\\\.[0-9]+)*)$\"",
                );
                None
            }
        },
    }
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

fn batch(raw: Option<&RawBatch>, key: &str, report: &mut Report<'_>) -> Option<BatchConfig> {
    let defaults = BatchConfig::default();
    let Some(raw) = raw else {
        return Some(defaults);
    };
    let max_open_batches = match raw.max_open_batches {
        None => Some(defaults.max_open_batches),
        Some(count) => {
            let valid = usize::try_from(count).ok().and_then(NonZeroUsize::new);
            if valid.is_none() {
                report.value(&format!("{key}.max_open_batches"), format!("{count} batches cannot hold any database change"), "write 1 or more (the default, 1, keeps all database changes of a cycle in one release)");
            }
            valid
        }
    };
    let lead_time = match raw.lead_time.as_deref() {
        None => Some(defaults.lead_time),
        Some(text) => duration(
            report,
            &format!("{key}.lead_time"),
            text,
            Duration::ZERO..=MAX_LEAD_TIME,
        ),
    };
    Some(BatchConfig {
        max_open_batches: max_open_batches?,
        lead_time: lead_time?,
        assign_milestone: raw.assign_milestone.unwrap_or(defaults.assign_milestone),
    })
}

/// The gate switches; `require_announcement` defaults to on only for a
/// project that announces (one without an `announce` table has no warning to
/// wait for).
fn gate(raw: Option<&RawGate>, announces: bool) -> GateSwitches {
    let defaults = GateSwitches {
        require_announcement: announces,
        ..GateSwitches::default()
    };
    let Some(raw) = raw else {
        return defaults;
    };
    GateSwitches {
        block_ahead_of_next_release: raw
            .block_ahead_of_next_release
            .unwrap_or(defaults.block_ahead_of_next_release),
        require_batch: raw.require_batch.unwrap_or(defaults.require_batch),
        require_announcement: raw
            .require_announcement
            .unwrap_or(defaults.require_announcement),
    }
}

fn announce(
    raw: &RawAnnounce,
    key: &str,
    report: &mut Report<'_>,
    files: &FileCheck<'_>,
) -> Option<AnnounceConfig> {
    let to = match raw.to.as_deref() {
        None | Some([]) => {
            report.value(&format!("{key}.to"), "no recipients for the downtime warning", "add `to = [\"announce@example.org\"]`, or remove the `announce` table to send nothing");
            None
        }
        Some(list) => {
            let checked: Vec<_> = list
                .iter()
                .enumerate()
                .map(|(index, address)| {
                    check(
                        report,
                        &format!("{key}.to[{index}]"),
                        checks::mailbox(address),
                    )
                })
                .collect();
            checked.into_iter().collect::<Option<Vec<_>>>()
        }
    };
    let reply_to = raw
        .reply_to
        .as_deref()
        .map(|text| check(report, &format!("{key}.reply_to"), checks::mailbox(text)));
    let trigger = match raw.trigger.as_deref() {
        None => Some(AnnounceTrigger::WorkStarts),
        Some(name) => {
            let trigger = AnnounceTrigger::from_name(name);
            if trigger.is_none() {
                report.value(
                    &format!("{key}.trigger"),
                    format!("unknown trigger `{name}`"),
                    format!("write one of {}", AnnounceTrigger::NAMES.join(", ")),
                );
            }
            trigger
        }
    };
    let updates = updates(raw, key, report);
    let upgrade_policy = match raw.upgrade_policy.as_deref() {
        None => Some(None),
        Some(name) => {
            let policy = UpgradePolicy::from_name(name);
            if policy.is_none() {
                report.value(
                    &format!("{key}.upgrade_policy"),
                    format!("unknown upgrade policy `{name}`"),
                    format!("write one of {}", UpgradePolicy::NAMES.join(", ")),
                );
            }
            policy.map(Some)
        }
    };
    let templates_dir = raw
        .templates_dir
        .as_deref()
        .map(|text| files.dir(report, &format!("{key}.templates_dir"), text));
    for (index, step) in raw.upgrade_steps.iter().enumerate() {
        if step.trim().is_empty() {
            report.value(
                &format!("{key}.upgrade_steps[{index}]"),
                "empty upgrade step",
                "remove it or write the step",
            );
        }
    }
    Some(AnnounceConfig {
        to: to?,
        reply_to: reply_to.map_or(Some(None), |checked| checked.map(Some))?,
        trigger: trigger?,
        updates: updates?,
        release_notice: raw.release_notice.unwrap_or(false),
        upgrade_steps: raw.upgrade_steps.clone(),
        upgrade_policy: upgrade_policy?,
        templates_dir: templates_dir.map_or(Some(None), |checked| checked.map(Some))?,
    })
}

fn updates(raw: &RawAnnounce, key: &str, report: &mut Report<'_>) -> Option<Updates> {
    let interval_key = format!("{key}.digest_interval");
    match (
        raw.updates.as_deref().unwrap_or("none"),
        raw.digest_interval.as_deref(),
    ) {
        ("none", None) => Some(Updates::None),
        ("none", Some(_)) => {
            report.key(
                &interval_key,
                "`digest_interval` has no effect with updates = \"none\"",
                "set `updates = \"digest\"` or remove `digest_interval`",
            );
            None
        }
        ("digest", Some(text)) => duration(
            report,
            &interval_key,
            text,
            Duration::from_secs(60)..=MAX_DIGEST_INTERVAL,
        )
        .map(|interval| Updates::Digest { interval }),
        ("digest", None) => {
            report.value(
                &format!("{key}.updates"),
                "`updates = \"digest\"` needs `digest_interval`",
                "add `digest_interval = \"1d\"` (at most one update mail per interval)",
            );
            None
        }
        (other, _) => {
            report.value(
                &format!("{key}.updates"),
                format!("unknown updates mode `{other}`"),
                "write \"none\" or \"digest\"",
            );
            None
        }
    }
}

/// Checks that need more than one table of the project.
fn cross_check(
    raw: &RawProject,
    at: &str,
    report: &mut Report<'_>,
    sections: &Sections,
    gate: GateSwitches,
) {
    if raw.announce.is_some() && !sections.mail {
        report.value(
            &format!("{at}.announce"),
            "the project announces by mail but the file has no [mail] section",
            "add [mail] with `smtp_url` and `from`, or remove the `announce` table",
        );
    }
    if raw.announce.is_none() && gate.require_announcement {
        report.value(
            &format!("{at}.gate.require_announcement"),
            "`require_announcement = true` but the project has no `announce` table, so no warning is ever sent and no database change could pass the gate",
            "add `announce = { to = [\"announce@example.org\"] }`, or remove `require_announcement`",
        );
    }
}
