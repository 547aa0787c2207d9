//! A Liquibase changelog's change sets, read from XML or from the JSON
//! value a JSON or YAML changelog gives, into one shape for the classing.

use serde_json::Value;
use std::collections::BTreeMap;

pub(super) struct ChangeSet {
    pub(super) id: Option<String>,
    pub(super) changes: Vec<Change>,
}

/// One change of a change set: its type, its scalar attributes, its
/// `column` entries and, for `sql`, its text.
#[derive(Default)]
pub(super) struct Change {
    pub(super) kind: String,
    pub(super) attrs: BTreeMap<String, String>,
    pub(super) columns: Vec<Column>,
    pub(super) sql: Option<String>,
}

#[derive(Default)]
pub(super) struct Column {
    pub(super) attrs: BTreeMap<String, String>,
    pub(super) constraints: BTreeMap<String, String>,
}

/// Children of a change set that are not changes.
fn is_change(kind: &str) -> bool {
    !matches!(
        kind,
        "rollback" | "preConditions" | "comment" | "validCheckSum" | "modifySql"
    )
}

pub(super) fn from_xml(text: &str) -> Result<Vec<ChangeSet>, String> {
    let document = roxmltree::Document::parse(text).map_err(|e| e.to_string())?;
    let root = document.root_element();
    if root.tag_name().name() != "databaseChangeLog" {
        return Err(format!(
            "the root element is {}, not databaseChangeLog",
            root.tag_name().name()
        ));
    }
    let attrs = |node: roxmltree::Node| -> BTreeMap<String, String> {
        node.attributes()
            .map(|a| (a.name().to_string(), a.value().to_string()))
            .collect()
    };
    let change_sets = root
        .children()
        .filter(|n| n.is_element() && n.tag_name().name() == "changeSet")
        .map(|set| ChangeSet {
            id: set.attribute("id").map(str::to_string),
            changes: set
                .children()
                .filter(|n| n.is_element() && is_change(n.tag_name().name()))
                .map(|change| {
                    let kind = change.tag_name().name().to_string();
                    let sql = (kind == "sql").then(|| {
                        change
                            .children()
                            .filter(|n| n.is_text())
                            .filter_map(|n| n.text())
                            .collect::<String>()
                    });
                    let columns = change
                        .children()
                        .filter(|n| n.is_element() && n.tag_name().name() == "column")
                        .map(|column| Column {
                            attrs: attrs(column),
                            constraints: column
                                .children()
                                .find(|n| n.is_element() && n.tag_name().name() == "constraints")
                                .map(attrs)
                                .unwrap_or_default(),
                        })
                        .collect();
                    Change {
                        kind,
                        attrs: attrs(change),
                        columns,
                        sql,
                    }
                })
                .collect(),
        })
        .collect();
    Ok(change_sets)
}

/// A YAML or JSON scalar as the text XML would hold.
fn scalar(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn scalars(object: &serde_json::Map<String, Value>) -> BTreeMap<String, String> {
    object
        .iter()
        .filter_map(|(key, value)| scalar(value).map(|v| (key.clone(), v)))
        .collect()
}

/// The YAML and JSON changelogs share one shape: a `databaseChangeLog`
/// list of one-key objects (`changeSet`, `include`…), each change set's
/// `changes` a list of one-key objects naming the change type.
pub(super) fn from_value(document: &Value) -> Result<Vec<ChangeSet>, String> {
    let entries = document
        .get("databaseChangeLog")
        .ok_or("no databaseChangeLog")?;
    let entries = entries
        .as_array()
        .ok_or("databaseChangeLog is not a list")?;
    let mut change_sets = Vec::new();
    for entry in entries {
        let Some(set) = entry.get("changeSet").and_then(Value::as_object) else {
            continue; // include, includeAll, property, preConditions…
        };
        let changes = set
            .get("changes")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default();
        change_sets.push(ChangeSet {
            id: set.get("id").and_then(scalar),
            changes: changes
                .iter()
                .filter_map(Value::as_object)
                .flat_map(|object| object.iter())
                .filter(|(kind, _)| is_change(kind))
                .map(|(kind, body)| change_from_value(kind, body))
                .collect(),
        });
    }
    Ok(change_sets)
}

fn change_from_value(kind: &str, body: &Value) -> Change {
    let mut change = Change {
        kind: kind.to_string(),
        ..Change::default()
    };
    match body {
        Value::Object(object) => {
            change.attrs = scalars(object);
            change.columns = object
                .get("columns")
                .and_then(Value::as_array)
                .map(Vec::as_slice)
                .unwrap_or_default()
                .iter()
                .filter_map(|entry| entry.get("column").and_then(Value::as_object))
                .map(|column| Column {
                    attrs: scalars(column),
                    constraints: column
                        .get("constraints")
                        .and_then(Value::as_object)
                        .map(scalars)
                        .unwrap_or_default(),
                })
                .collect();
            if kind == "sql" {
                change.sql = change.attrs.get("sql").cloned();
            }
        }
        // `- sql: SELECT …` written as a bare string.
        other if kind == "sql" => change.sql = scalar(other),
        _ => {}
    }
    change
}
