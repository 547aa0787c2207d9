//! Validation of the `[[project]]` tables: forge and path, label, rule packs
//! and globs, release scheme, batching, gate, announcement and command
//! settings, and the cross-checks between them and the top-level sections.

use crate::config::checks::{self, Problem};
use crate::config::model::*;
use crate::config::report::Report;
use crate::config::tree::{Field, Table, texts};
use crate::config::validate::{FileCheck, Sections, duration};
use crate::config::validate_announce;
use crate::config::validate_commands;
use crate::core::release::Scheme;
use globset::{GlobBuilder, GlobSetBuilder};
use std::collections::HashMap;
use std::num::NonZeroUsize;
use std::ops::Range;
use std::time::Duration;

const KEYS: &[&str] = &[
    "forge",
    "path",
    "label",
    "label_color",
    "rule_packs",
    "extra_paths",
    "ignore_paths",
    "issue_keywords",
    "releases",
    "batch",
    "gate",
    "announce",
    "commands",
    "downtime",
];

pub fn validate_projects(
    raw: Vec<Field<'_>>,
    report: &mut Report<'_>,
    sections: &Sections<'_>,
    files: &FileCheck<'_>,
) -> Vec<ProjectConfig> {
    // Keyed on the text as written, so a duplicate is reported even when
    // either table has other errors (and fails validation).
    let mut seen: HashMap<(String, String), Range<usize>> = HashMap::new();
    let mut projects = Vec::new();
    for field in raw {
        let Some(table) = report.table(Some(field), KEYS) else {
            continue;
        };
        let valid = validate_project(&table, report, sections, files);
        let written = |key: &str| {
            table
                .get(key)
                .and_then(|f| Some((f.value.as_str()?.trim(), f)))
        };
        if let (Some((forge, _)), Some((path, field))) = (written("forge"), written("path")) {
            let key = (forge.to_ascii_lowercase(), path.to_ascii_lowercase());
            if let Some(first) = seen.get(&key) {
                let line = report.line_of(first);
                let message =
                    format!("project `{path}` is configured twice (first at line {line})");
                report.at_field(&field, message, "merge the two [[project]] tables into one");
                continue;
            }
            seen.insert(key, field.span);
        }
        projects.extend(valid);
    }
    projects
}

fn validate_project(
    raw: &Table<'_>,
    report: &mut Report<'_>,
    sections: &Sections<'_>,
    files: &FileCheck<'_>,
) -> Option<ProjectConfig> {
    let forge = forge(raw, report, sections);
    let path_fix = "add `path = \"group/project\"` (GitLab) or `path = \"owner/repo\"` (GitHub)";
    report.required(raw, "path", path_fix);
    let path = report.parse(raw.get("path"), |text| checks::project_path(forge, text));
    let label = report.parse_or(raw.get("label"), DEFAULT_LABEL.to_string(), label);
    let label_color = raw.get("label_color");
    let label_color = report.parse_or(label_color, DEFAULT_LABEL_COLOR.into(), checks::label_color);
    let rule_packs = rule_packs(raw, report, sections.rule_packs.as_deref());
    let extra_paths = globs(raw.get("extra_paths"), report);
    let ignore_paths = globs(raw.get("ignore_paths"), report);
    let issue_keywords = issue_keywords(raw.get("issue_keywords"), report);
    let scheme = scheme(raw, report);
    let downtime = report.parse_or(raw.get("downtime"), Downtime::default(), |text: &str| {
        Downtime::from_name(text.trim()).ok_or_else(|| {
            Problem::new(
                format!("unknown downtime rule `{text}`"),
                "write \"any-migration\" (every migration needs downtime) or \"contract-only\" (only migrations that break the previous release's code)",
            )
        })
    });
    let batch = batch(report.table(raw.get("batch"), BATCH_KEYS), report);
    let gate_table = report.table(raw.get("gate"), GATE_KEYS);
    let gate = gate(gate_table.as_ref(), report, raw.has("announce"));
    let announce = report.table(raw.get("announce"), validate_announce::KEYS);
    let announce = announce.and_then(|table| validate_announce::announce(&table, report, files));
    let name = path
        .as_ref()
        .map_or(raw.path.as_str(), |path| path.as_str());
    let commands = validate_commands::project(raw, forge, name, &sections.commands, report);
    cross_check(raw, gate_table.as_ref(), report, sections, gate);
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
        downtime: downtime?,
        announce,
        commands: commands?,
    })
}

fn label(text: &str) -> Result<String, Problem> {
    match text.trim() {
        "" => {
            let fix = format!("write a name or leave the key out for \"{DEFAULT_LABEL}\"");
            Err(Problem::new("the label name is empty", fix))
        }
        text => Ok(text.to_string()),
    }
}

fn forge(raw: &Table<'_>, report: &mut Report<'_>, sections: &Sections<'_>) -> Option<ForgeKind> {
    report.required(
        raw,
        "forge",
        "add `forge = \"gitlab\"` or `forge = \"github\"`",
    );
    let field = raw.get("forge")?;
    let named = checks::named(
        "forge",
        ForgeKind::from_name,
        "write \"gitlab\" or \"github\"",
    );
    let forge = report.parse(Some(field.clone()), named)?;
    let (present, section) = match forge {
        ForgeKind::GitLab => (sections.gitlab, "[gitlab]"),
        ForgeKind::GitHub => (sections.github, "[github]"),
    };
    if !present {
        let message = format!("the project is on {forge} but the file has no {section} section");
        let fix = format!(
            "add a {section} section (its URL and `token_env`) so the bot can reach the forge"
        );
        report.at_field(&field, message, fix);
    }
    Some(forge)
}

fn rule_packs(
    raw: &Table<'_>,
    report: &mut Report<'_>,
    known: Option<&[String]>,
) -> Option<Vec<String>> {
    let field = raw.get("rule_packs")?;
    let packs = report.strings(Some(field.clone()))?;
    let extra_paths = raw.get("extra_paths");
    let no_extra_paths =
        extra_paths.is_none_or(|f| f.value.as_array().is_some_and(|a| a.is_empty()));
    if packs.is_empty() && no_extra_paths {
        let fix =
            "leave `rule_packs` out to use every built-in pack, or name some, e.g. [\"django\"]";
        let message = "no rule packs and no extra_paths: nothing would ever be detected";
        report.at_field(&field, message, fix);
    }
    for (item, pack) in &packs {
        if pack.trim().is_empty() {
            let fix = "remove it or write a pack name such as \"django\"";
            report.at_field(item, "empty rule pack name", fix);
        } else if let Some(known) = known.filter(|known| !known.iter().any(|name| name == pack)) {
            let message = format!("unknown rule pack `{pack}`");
            let fix = format!("use one of: {}", known.join(", "));
            report.at_field(item, message, fix);
        }
    }
    Some(texts(&packs))
}

fn globs(field: Option<Field<'_>>, report: &mut Report<'_>) -> Option<GlobList> {
    if field.is_none() {
        return Some(GlobList::default());
    }
    let fix = "fix the pattern: `*` matches within one directory, `**` across directories, `{a,b}` alternatives, `[abc]` character classes";
    let items = report.strings(field)?;
    let globs: Vec<_> = (items.iter())
        .map(|(item, pattern)| {
            let glob = GlobBuilder::new(pattern).literal_separator(true).build();
            let glob = glob.map_err(|error| {
                let message = format!("`{pattern}` is not a valid glob: {}", error.kind());
                Problem::new(message, fix)
            });
            report.check(item, glob)
        })
        .collect();
    let mut builder = GlobSetBuilder::new();
    for glob in globs {
        builder.add(glob?);
    }
    let set = builder.build().ok()?;
    let patterns = texts(&items);
    Some(GlobList { patterns, set })
}

/// The trimmed keywords; an empty one is reported.
fn issue_keywords(field: Option<Field<'_>>, report: &mut Report<'_>) -> Vec<String> {
    let fix = "remove it; an empty word would match every issue";
    let keywords = non_empty(report, field, "empty keyword", fix).unwrap_or_default();
    let keywords = keywords.iter().map(|word| word.trim());
    keywords
        .filter(|word| !word.is_empty())
        .map(str::to_string)
        .collect()
}

/// The strings of a list, each empty one reported.
pub fn non_empty<'a>(
    report: &mut Report<'_>,
    field: Option<Field<'a>>,
    message: &str,
    fix: &str,
) -> Option<Vec<String>> {
    let items = report.strings(field)?;
    for (item, _) in items.iter().filter(|(_, text)| text.trim().is_empty()) {
        report.at_field(item, message, fix);
    }
    Some(texts(&items))
}

fn scheme(project: &Table<'_>, report: &mut Report<'_>) -> Option<Scheme> {
    let example = "write `releases = { scheme = \"calver\" }` (calver, semver, yy.mm.patch) or `releases = { title_regex = \"^v(?P<version>[0-9.]+)$\" }`";
    let missing = "missing release scheme: milestones cannot be recognised as releases";
    let path = project.path_of("releases");
    let Some(releases) = report.table(project.get("releases"), &["scheme", "title_regex"]) else {
        if !project.has("releases") {
            report.at(&project.span, &path, missing, example);
        }
        return None;
    };
    match (releases.get("scheme"), releases.get("title_regex")) {
        (None, None) => report.at(&releases.span, &path, missing, example),
        (Some(_), Some(regex)) => {
            let message = "both `scheme` and `title_regex` are set";
            report.at_field(&regex, message, "keep exactly one of them");
        }
        (Some(scheme), None) => {
            let names = Scheme::NAMES.join(", ");
            let fix = format!("write one of {names}, or use `title_regex` for other titles");
            return report.parse(
                Some(scheme),
                checks::named("scheme", Scheme::from_name, fix),
            );
        }
        (None, Some(regex)) => {
            let fix = "write a regex with a named group holding a dotted version, e.g. \"^Release (?P<version>[0-9]+(\\\\.[0-9]+)*)$\"";
            return report.parse(Some(regex), |pattern: &str| {
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

const BATCH_KEYS: &[&str] = &["max_open_batches", "lead_time", "assign_milestone"];

fn batch(raw: Option<Table<'_>>, report: &mut Report<'_>) -> Option<BatchConfig> {
    let defaults = BatchConfig::default();
    let Some(raw) = raw else {
        return Some(defaults);
    };
    let max_open_batches = raw.get("max_open_batches");
    let max_open_batches = report.parse_or(max_open_batches, defaults.max_open_batches, |count: i64| {
        let fix = "write 1 or more (the default, 1, keeps all database changes of a cycle in one release)";
        let valid = usize::try_from(count).ok().and_then(NonZeroUsize::new);
        valid.ok_or_else(|| Problem::new(format!("{count} batches cannot hold any database change"), fix))
    });
    let lead_time = match raw.get("lead_time") {
        None => Some(defaults.lead_time),
        field => duration(report, field, Duration::ZERO..=MAX_LEAD_TIME),
    };
    let assign_milestone = report.get(raw.get("assign_milestone"));
    Some(BatchConfig {
        max_open_batches: max_open_batches?,
        lead_time: lead_time?,
        assign_milestone: assign_milestone.unwrap_or(defaults.assign_milestone),
    })
}

const GATE_KEYS: &[&str] = &[
    "block_ahead_of_next_release",
    "require_batch",
    "require_announcement",
    "block_migration_conflicts",
];

/// The gate switches; `require_announcement` defaults to on only for a
/// project that announces (one without an `announce` table has no warning to
/// wait for).
fn gate(raw: Option<&Table<'_>>, report: &mut Report<'_>, announces: bool) -> GateSwitches {
    let defaults = GateSwitches {
        require_announcement: announces,
        ..GateSwitches::default()
    };
    let Some(raw) = raw else {
        return defaults;
    };
    let mut switch = |name: &str, default: bool| report.get(raw.get(name)).unwrap_or(default);
    GateSwitches {
        block_ahead_of_next_release: switch(
            "block_ahead_of_next_release",
            defaults.block_ahead_of_next_release,
        ),
        require_batch: switch("require_batch", defaults.require_batch),
        require_announcement: switch("require_announcement", defaults.require_announcement),
        block_migration_conflicts: switch(
            "block_migration_conflicts",
            defaults.block_migration_conflicts,
        ),
    }
}

/// Checks that need more than one table of the project.
fn cross_check(
    raw: &Table<'_>,
    gate_table: Option<&Table<'_>>,
    report: &mut Report<'_>,
    sections: &Sections<'_>,
    gate: GateSwitches,
) {
    if let (Some(announce), false) = (raw.get("announce"), sections.mail) {
        let fix = "add [mail] with `smtp_url` and `from`, or remove the `announce` table";
        let message = "the project announces by mail but the file has no [mail] section";
        report.at_field(&announce, message, fix);
    }
    if !raw.has("announce") && gate.require_announcement {
        let switch = gate_table.and_then(|gate| gate.get("require_announcement"));
        let span = switch
            .map(|field| field.span)
            .or(gate_table.map(|gate| gate.span.clone()))
            .unwrap_or(raw.span.clone());
        let message = "`require_announcement = true` but the project has no `announce` table, so no warning is ever sent and no database change could pass the gate";
        let fix = "add `announce = { to = [\"announce@example.org\"] }`, or remove `require_announcement`";
        let path = format!("{}.gate.require_announcement", raw.path);
        report.at(&span, &path, message, fix);
    }
}
