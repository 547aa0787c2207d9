//! Formatted SQL changelogs: SQL whose `--changeset` lines mark the
//! change sets, handed to the SQL reader whole or appended sets only.

use crate::core::compat::{Operation, sql};

/// A formatted SQL changelog's `--changeset author:id` line's id.
pub(super) fn changeset_id(line: &str) -> Option<String> {
    let line = line.trim_start();
    let line = line.strip_prefix('+').unwrap_or(line).trim_start();
    let rest = line.strip_prefix("--")?.trim_start();
    let rest = rest
        .get(..9)
        .filter(|head| head.eq_ignore_ascii_case("changeset"))
        .and_then(|_| rest.get(9..))?;
    if !rest.starts_with(char::is_whitespace) {
        return None;
    }
    let rest = rest.trim_start();
    // The author may be quoted and hold spaces; it ends at the first colon.
    let after_author = match rest.strip_prefix('"') {
        Some(quoted) => quoted.split_once('"')?.1.strip_prefix(':')?,
        None => rest.split_once(':')?.1,
    };
    let after_author = after_author.trim_start();
    let id = match after_author.strip_prefix('"') {
        Some(quoted) => quoted.split_once('"')?.0,
        None => after_author.split_whitespace().next()?,
    };
    (!id.is_empty()).then(|| id.to_string())
}

/// Classes a formatted SQL changelog: the whole text, or the appended
/// change sets only, the other lines blanked so parse errors keep the
/// file's line numbers.
pub(super) fn read_formatted_sql(text: &str, added: Option<&str>) -> Vec<Operation> {
    let ids: Vec<String> = added
        .map(|lines| lines.lines().filter_map(changeset_id).collect())
        .unwrap_or_default();
    let file_ids: Vec<String> = text.lines().filter_map(changeset_id).collect();
    if !file_ids.iter().any(|id| ids.contains(id)) {
        return sql::read(text);
    }
    let mut kept = String::with_capacity(text.len());
    let mut keep = false;
    for line in text.split_inclusive('\n') {
        if let Some(id) = changeset_id(line) {
            keep = ids.contains(&id);
        }
        if keep {
            kept.push_str(line);
        } else if line.ends_with('\n') {
            kept.push('\n');
        }
    }
    sql::read(&kept)
}
