//! Validation of the top-level `[commands]` table and a project's `commands`
//! table: whether `/schemagate` comments are acted on, and who may approve.
//! A project's table overrides the top-level one key by key. Approvers are
//! checked against the project's forge, inherited ones too, because a list
//! written once at the top can be right for GitLab (a group of any depth)
//! and wrong for GitHub (a team is exactly `org/team-slug`).

use crate::config::checks::Problem;
use crate::config::model::{Approver, CommandsConfig, ForgeKind, MAX_APPROVERS};
use crate::config::report::Report;
use crate::config::tree::{Field, Table};
use std::collections::HashMap;

pub const KEYS: &[&str] = &["enabled", "approvers"];

/// The top-level `[commands]` settings, with where each approver is
/// written: a project that inherits the list has it checked against its
/// forge, and a problem is reported where the entry stands.
#[derive(Default)]
pub struct Inherited<'a> {
    pub config: CommandsConfig,
    written: Vec<Field<'a>>,
}

/// The top-level table (defaults when absent). Entries are checked for
/// their shape only here: which forge they are for is the projects' to say.
pub fn top_level<'a>(raw: Option<Table<'a>>, report: &mut Report<'_>) -> Inherited<'a> {
    let Some(raw) = raw else {
        return Inherited::default();
    };
    let defaults = CommandsConfig::default();
    let enabled = report.get(raw.get("enabled")).unwrap_or(defaults.enabled);
    let listed = raw
        .get("approvers")
        .and_then(|f| approvers(f, None, report));
    let (written, approvers) = listed.unwrap_or_default().into_iter().unzip();
    Inherited {
        config: CommandsConfig { enabled, approvers },
        written,
    }
}

/// A project's settings: its own `commands` keys, else the inherited ones.
/// `None` when its own are invalid. `name` says which project an inherited
/// entry does not fit (its path, when valid).
pub fn project(
    raw: &Table<'_>,
    forge: Option<ForgeKind>,
    name: &str,
    inherited: &Inherited<'_>,
    report: &mut Report<'_>,
) -> Option<CommandsConfig> {
    let own = report.table(raw.get("commands"), KEYS);
    let own_key = |key: &str| own.as_ref().and_then(|own| own.get(key));
    let enabled = match own_key("enabled") {
        None => Some(inherited.config.enabled),
        field => report.get(field),
    };
    let approvers = match own_key("approvers") {
        Some(field) => approvers(field, forge, report)
            .map(|listed| listed.into_iter().map(|(_, approver)| approver).collect()),
        None => {
            check_inherited(inherited, forge, name, report);
            Some(inherited.config.approvers.clone())
        }
    };
    Some(CommandsConfig {
        enabled: enabled?,
        approvers: approvers?,
    })
}

/// Reports each inherited approver that `forge` cannot have, at the
/// top-level entry, naming the project that inherits it.
fn check_inherited(
    inherited: &Inherited<'_>,
    forge: Option<ForgeKind>,
    name: &str,
    report: &mut Report<'_>,
) {
    let entries = inherited.written.iter().zip(&inherited.config.approvers);
    for (field, approver) in entries {
        if let Err(problem) = on_forge(forge, approver) {
            let message = format!("{}, and project `{name}` uses this list", problem.message);
            let fix = format!(
                "{}, or give project `{name}` its own `commands.approvers`",
                problem.fix
            );
            report.at_field(field, message, fix);
        }
    }
}

/// The entries of an `approvers` list with their fields; `None` when the
/// list or any entry is invalid (each problem is reported at its entry).
fn approvers<'a>(
    field: Field<'a>,
    forge: Option<ForgeKind>,
    report: &mut Report<'_>,
) -> Option<Vec<(Field<'a>, Approver)>> {
    let items = report.strings(Some(field.clone()))?;
    if items.len() > MAX_APPROVERS {
        let message = format!(
            "{} approvers are listed; at most {MAX_APPROVERS} are allowed",
            items.len()
        );
        let fix = "list a group or team (\"group:<path>\") instead of its members";
        report.at_field(&field, message, fix);
        return None;
    }
    // Lowercased as written, with where it was first written: the forges
    // compare usernames and group paths without case.
    let mut seen: HashMap<String, String> = HashMap::new();
    let mut valid = Some(Vec::new());
    for (item, text) in items {
        let parsed = approver(text).and_then(|a| on_forge(forge, &a).map(|()| a));
        let Some(approver) = report.check(&item, parsed) else {
            valid = None;
            continue;
        };
        let key = approver.to_string().to_lowercase();
        if let Some(first) = seen.get(&key) {
            let message = format!(
                "`{text}` is listed twice: {first} names it too (names compare without case)"
            );
            report.at_field(&item, message, "remove one of them");
            valid = None;
            continue;
        }
        seen.insert(key, item.path.clone());
        if let Some(list) = valid.as_mut() {
            list.push((item, approver));
        }
    }
    valid
}

/// One entry: `"alice"` or `"group:lava/release-managers"`.
fn approver(text: &str) -> Result<Approver, Problem> {
    let usage = "write a username (\"alice\") or a group or team (\"group:lava/release-managers\")";
    if text.is_empty() {
        return Err(Problem::new(
            "empty approver",
            format!("remove it, or {usage}"),
        ));
    }
    if text.chars().any(char::is_whitespace) {
        let fix = "remove the whitespace: usernames and group paths never contain it; list each person as their own entry";
        return Err(Problem::new(format!("`{text}` contains whitespace"), fix));
    }
    if let Some(path) = text.strip_prefix("group:") {
        return group(text, path);
    }
    if let Some(name) = text.strip_prefix('@') {
        let message = format!("`{text}` starts with @");
        return Err(Problem::new(
            message,
            format!("write the username without it: \"{name}\""),
        ));
    }
    if text.contains('/') {
        let message = format!("`{text}` is not a username");
        let fix = format!("write \"group:{text}\" for a GitLab group or GitHub team");
        return Err(Problem::new(message, fix));
    }
    if !text.chars().all(name_char) {
        let message = format!("`{text}` is neither a username nor \"group:<path>\"");
        let fix = format!("{usage}; usernames hold letters, digits, `_`, `.` and `-`");
        return Err(Problem::new(message, fix));
    }
    Ok(Approver::Person(text.to_string()))
}

/// The `group:` entry `text`, whose path is `path`.
fn group(text: &str, path: &str) -> Result<Approver, Problem> {
    let example = "e.g. \"group:lava/release-managers\"";
    if path.is_empty() {
        let message = format!("`{text}` names no group");
        let fix = format!("write the group's full path or the team after `group:`, {example}");
        return Err(Problem::new(message, fix));
    }
    let segment_ok = |segment: &str| !segment.is_empty() && segment.chars().all(name_char);
    if !path.split('/').all(segment_ok) {
        let message = format!("`{text}` is not a group path");
        let fix = format!(
            "write the path's parts (letters, digits, `_`, `.`, `-`) separated by single `/`, {example}"
        );
        return Err(Problem::new(message, fix));
    }
    Ok(Approver::Group(path.to_string()))
}

/// A character GitLab usernames and group paths, or GitHub logins, org
/// names and team slugs may hold.
fn name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "_.-".contains(c)
}

/// Whether `forge` can have this approver: a GitHub team is `org/team-slug`,
/// while a GitLab group may be nested at any depth. Unknown forge: any shape.
fn on_forge(forge: Option<ForgeKind>, approver: &Approver) -> Result<(), Problem> {
    match (forge, approver) {
        (Some(ForgeKind::GitHub), Approver::Group(path)) if path.split('/').count() != 2 => {
            Err(Problem::new(
                format!("`{approver}` is not a GitHub team"),
                "write a GitHub team as \"group:org/team-slug\"",
            ))
        }
        _ => Ok(()),
    }
}
