//! The Liquibase reader: XML, YAML, JSON and formatted SQL changelogs.
//!
//! The format follows the file's extension (`.xml`, `.yaml`/`.yml`,
//! `.json`, `.sql`); a file with another extension is sniffed from its
//! first character. XML, YAML and JSON changelogs are walked
//! `databaseChangeLog` → `changeSet` → change, each change classed on its
//! own (a `rollback`, `preConditions`, `comment`, `validCheckSum` or
//! `modifySql` of a change set is not a change; an `include` or
//! `includeAll` is a master changelog's entry and no operation). An `sql`
//! change is handed to the SQL reader, and so is a formatted SQL changelog,
//! whose `--changeset`, `--rollback` and `--precondition` lines are SQL
//! comments.
//!
//! A changelog grows by appending change sets. When the diff's added lines
//! are known, only the change sets whose `id` they hold are classed (the
//! `id="…"` of an XML `<changeSet` tag, a YAML `id:` or JSON `"id":` entry,
//! the id of a formatted SQL `--changeset author:id` line; the lines may
//! keep the diff's leading `+`). When no change set of the file has one of
//! those ids (an edit inside an existing change set, a new include), the
//! whole file is classed.
//!
//! Table names are `schemaName.tableName` when the change names a schema,
//! `tableName` otherwise.

mod appended;
mod changelog;
mod classify;
mod formatted_sql;
mod yaml;

use super::{Compat, OpKind, Operation};
use appended::added_ids;
use changelog::{ChangeSet, from_value, from_xml};
use classify::classify;
use formatted_sql::read_formatted_sql;
use serde_json::Value;
use yaml::yaml_value;

/// Reads a changelog's operations; `added` is the diff's added lines.
pub(crate) fn read(path: &str, text: &str, added: Option<&str>) -> Vec<Operation> {
    let format = Format::of(path, text);
    if format == Format::Sql {
        return read_formatted_sql(text, added);
    }
    let changelog = match format {
        Format::Xml => from_xml(text),
        Format::Json => serde_json::from_str::<Value>(text)
            .map_err(|e| e.to_string())
            .and_then(|v| from_value(&v)),
        _ => yaml_value(text).and_then(|v| from_value(&v)),
    };
    let change_sets = match changelog {
        Ok(change_sets) => change_sets,
        Err(error) => {
            return vec![
                Operation::new(OpKind::NotUnderstood, Compat::Unknown)
                    .note(format!("parse error: {error}")),
            ];
        }
    };
    let ids = added
        .map(|lines| added_ids(format, lines))
        .unwrap_or_default();
    let appended: Vec<&ChangeSet> = change_sets
        .iter()
        .filter(|set| set.id.as_ref().is_some_and(|id| ids.contains(id)))
        .collect();
    let classed: Vec<&ChangeSet> = if appended.is_empty() {
        change_sets.iter().collect()
    } else {
        appended
    };
    classed
        .into_iter()
        .flat_map(|set| &set.changes)
        .flat_map(classify)
        .collect()
}

#[derive(Clone, Copy, PartialEq, Debug)]
enum Format {
    Xml,
    Yaml,
    Json,
    Sql,
}

impl Format {
    fn of(path: &str, text: &str) -> Format {
        let lower = path.to_ascii_lowercase();
        if lower.ends_with(".xml") {
            Format::Xml
        } else if lower.ends_with(".yaml") || lower.ends_with(".yml") {
            Format::Yaml
        } else if lower.ends_with(".json") {
            Format::Json
        } else if lower.ends_with(".sql") {
            Format::Sql
        } else {
            let start = text.trim_start_matches('\u{feff}').trim_start();
            if start.starts_with('<') {
                Format::Xml
            } else if start.starts_with('{') || start.starts_with('[') {
                Format::Json
            } else if start.starts_with("--") {
                Format::Sql
            } else {
                Format::Yaml
            }
        }
    }
}

#[cfg(test)]
#[path = "liquibase_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "liquibase_changelog_tests.rs"]
mod changelog_tests;
