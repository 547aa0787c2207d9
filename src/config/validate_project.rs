//! Validation of the `[[project]]` tables: forge and path, label, rule packs
//! and globs, release scheme, batching, gate and announcement settings, and the
//! cross-checks between them and the top-level sections.

use crate::config::checks::{self, Problem};
use crate::config::model::*;
use crate::config::raw::{Field, RawBatch, RawGate, RawProject, RawReleases};
use crate::config::report::Report;
use crate::config::validate::{FileCheck, Sections, duration};
use crate::config::validate_announce;
use crate::core::release::Scheme;
use globset::{GlobBuilder, GlobSetBuilder};
use std::collections::HashMap;
use std::num::NonZeroUsize;
use std::ops::Range;
use std::time::Duration;

pub type Strings = Option<Field<Vec<Field<String>>>>;

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
    let key = |name: &str| format!("{at}.{name}");
    let path_fix = "add `path = \"group/project\"` (GitLab) or `path = \"owner/repo\"` (GitHub)";
    report.required(&raw.path, &key("path"), &table.span, path_fix);
    let path = report.parse(&raw.path, &key("path"), |t| checks::project_path(forge, t));
    let label = report.parse_or(&raw.label, &key("label"), DEFAULT_LABEL.to_string(), |t| {
        label(t)
    });
    let label_color = report.parse_or(
        &raw.label_color,
        &key("label_color"),
        DEFAULT_LABEL_COLOR.to_string(),
        |t| checks::label_color(t),
    );
    let rule_packs = rule_packs(raw, at, report, sections.rule_packs.as_deref());
    let extra_paths = globs(&raw.extra_paths, &key("extra_paths"), report);
    let ignore_paths = globs(&raw.ignore_paths, &key("ignore_paths"), report);
    let issue_keywords = issue_keywords(&raw.issue_keywords, &key("issue_keywords"), report);
    let scheme = scheme(
        report.table(&raw.releases, &key("releases")),
        table,
        at,
        report,
    );
    let batch = batch(
        report.table(&raw.batch, &key("batch")),
        &key("batch"),
        report,
    );
    let gate_table = report.table(&raw.gate, &key("gate")).map(|(gate, _)| gate);
    let gate = gate(gate_table, &key("gate"), report, raw.announce.is_some());
    let announce = report.table(&raw.announce, &key("announce"));
    let announce = announce.and_then(|(raw, field)| {
        validate_announce::announce(raw, field, &key("announce"), report, files)
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
        issue_keywords,
        scheme: scheme?,
        batch: batch?,
        gate,
        announce,
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
        ForgeKind::GitLab => (sections.gitlab, "[gitlab]"),
        ForgeKind::GitHub => (sections.github, "[github]"),
    };
    if let (false, Some(field)) = (present, &raw.forge) {
        let message = format!(
            "the project is on {} but the file has no {section} section",
            forge.name()
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

/// The trimmed keywords; an empty one is reported.
fn issue_keywords(field: &Strings, key: &str, report: &mut Report<'_>) -> Vec<String> {
    let message = "empty keyword";
    let keywords = non_empty(
        report,
        field,
        key,
        message,
        "remove it; an empty word would match every issue",
    );
    let keywords = keywords.unwrap_or_default().into_iter().map(str::trim);
    keywords
        .filter(|word| !word.is_empty())
        .map(str::to_string)
        .collect()
}

/// The strings of a list, each empty one reported.
pub fn non_empty<'a>(
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
