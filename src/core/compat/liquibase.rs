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

use super::{Compat, OpKind, Operation};
use serde_json::Value;
use std::collections::BTreeMap;

const LOCKS: &str = "locks writes while it builds";
const MAY_VIOLATE: &str = "old writes may violate it";

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

// ---------------------------------------------------------------------------
// The changelog, whatever its format

struct ChangeSet {
    id: Option<String>,
    changes: Vec<Change>,
}

/// One change of a change set: its type, its scalar attributes, its
/// `column` entries and, for `sql`, its text.
#[derive(Default)]
struct Change {
    kind: String,
    attrs: BTreeMap<String, String>,
    columns: Vec<Column>,
    sql: Option<String>,
}

#[derive(Default)]
struct Column {
    attrs: BTreeMap<String, String>,
    constraints: BTreeMap<String, String>,
}

/// Children of a change set that are not changes.
fn is_change(kind: &str) -> bool {
    !matches!(
        kind,
        "rollback" | "preConditions" | "comment" | "validCheckSum" | "modifySql"
    )
}

fn from_xml(text: &str) -> Result<Vec<ChangeSet>, String> {
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
fn from_value(document: &Value) -> Result<Vec<ChangeSet>, String> {
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

// ---------------------------------------------------------------------------
// Formatted SQL

/// A formatted SQL changelog's `--changeset author:id` line's id.
fn changeset_id(line: &str) -> Option<String> {
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
fn read_formatted_sql(text: &str, added: Option<&str>) -> Vec<Operation> {
    let ids: Vec<String> = added
        .map(|lines| lines.lines().filter_map(changeset_id).collect())
        .unwrap_or_default();
    let file_ids: Vec<String> = text.lines().filter_map(changeset_id).collect();
    if !file_ids.iter().any(|id| ids.contains(id)) {
        return super::sql::read(text);
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
    super::sql::read(&kept)
}

// ---------------------------------------------------------------------------
// Appended change sets

/// The change set ids the diff's added lines hold.
fn added_ids(format: Format, added: &str) -> Vec<String> {
    match format {
        Format::Xml => xml_change_set_ids(added),
        Format::Json => json_ids(added),
        Format::Yaml => added.lines().filter_map(yaml_id).collect(),
        Format::Sql => added.lines().filter_map(changeset_id).collect(),
    }
}

/// The `id` attributes of the `<changeSet` tags in a fragment of XML.
fn xml_change_set_ids(text: &str) -> Vec<String> {
    let mut ids = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find("<changeSet") {
        let tag = rest.get(at + "<changeSet".len()..).unwrap_or("");
        let end = tag.find('>').unwrap_or(tag.len());
        if let Some(id) = tag.get(..end).and_then(|t| xml_attribute(t, "id")) {
            ids.push(id);
        }
        rest = tag;
    }
    ids
}

/// An attribute's value in a tag's text (`id = "x"` or `id='x'`).
fn xml_attribute(tag: &str, name: &str) -> Option<String> {
    let mut rest = tag;
    while let Some(at) = rest.find(name) {
        let before = rest.get(..at).and_then(|b| b.chars().last());
        let after = rest.get(at + name.len()..).unwrap_or("");
        rest = after;
        if !before.is_some_and(char::is_whitespace) {
            continue; // part of another attribute's name (`changeSetId`)
        }
        let Some(value) = after.trim_start().strip_prefix('=') else {
            continue;
        };
        let value = value.trim_start();
        let quote = value.chars().next().filter(|c| *c == '"' || *c == '\'')?;
        return value
            .get(1..)?
            .split_once(quote)
            .map(|(v, _)| v.to_string());
    }
    None
}

/// A YAML `id:` line's value (`id: 42`, `- id: "a-1"  # comment`).
/// How deep a YAML changelog may nest before it is refused: real ones
/// stay under ten levels, and the conversion below recurses.
const MAX_YAML_DEPTH: usize = 64;

/// A YAML changelog as the JSON value the JSON changelogs give, so one walk
/// reads both. yaml-rust2 is a YAML parser of its own (no libyaml inside);
/// aliases are not expanded, so no document can make the value grow.
fn yaml_value(text: &str) -> Result<Value, String> {
    let docs = yaml_rust2::YamlLoader::load_from_str(text).map_err(|e| e.to_string())?;
    match docs.first() {
        Some(doc) => yaml_to_json(doc, 0),
        None => Err("an empty document".to_string()),
    }
}

fn yaml_to_json(yaml: &yaml_rust2::Yaml, depth: usize) -> Result<Value, String> {
    use yaml_rust2::Yaml;
    if depth > MAX_YAML_DEPTH {
        return Err(format!("nested deeper than {MAX_YAML_DEPTH} levels"));
    }
    Ok(match yaml {
        Yaml::Real(text) => text
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map_or_else(|| Value::String(text.clone()), Value::Number),
        Yaml::Integer(n) => Value::from(*n),
        Yaml::String(text) => Value::String(text.clone()),
        Yaml::Boolean(b) => Value::Bool(*b),
        Yaml::Array(items) => Value::Array(
            items
                .iter()
                .map(|item| yaml_to_json(item, depth + 1))
                .collect::<Result<_, _>>()?,
        ),
        Yaml::Hash(map) => {
            let mut object = serde_json::Map::new();
            for (key, value) in map {
                let key = match key {
                    Yaml::String(k) => k.clone(),
                    Yaml::Integer(n) => n.to_string(),
                    Yaml::Boolean(b) => b.to_string(),
                    Yaml::Real(r) => r.clone(),
                    _ => continue,
                };
                object.insert(key, yaml_to_json(value, depth + 1)?);
            }
            Value::Object(object)
        }
        Yaml::Null | Yaml::Alias(_) | Yaml::BadValue => Value::Null,
    })
}

fn yaml_id(line: &str) -> Option<String> {
    let line = line.trim_start();
    let line = line.strip_prefix('+').unwrap_or(line).trim_start();
    let line = line.strip_prefix('-').map_or(line, str::trim_start);
    let value = line.strip_prefix("id:")?.trim();
    let value = match value.chars().next()? {
        quote @ ('"' | '\'') => value.get(1..)?.split_once(quote)?.0,
        _ => value.split(" #").next()?.trim(),
    };
    (!value.is_empty()).then(|| value.to_string())
}

/// The values of the `"id":` entries in a fragment of JSON.
fn json_ids(text: &str) -> Vec<String> {
    let mut ids = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find("\"id\"") {
        rest = rest.get(at + 4..).unwrap_or("");
        let Some(value) = rest.trim_start().strip_prefix(':') else {
            continue;
        };
        let value = value.trim_start();
        let id = match value.strip_prefix('"') {
            Some(quoted) => quoted.split_once('"').map(|(v, _)| v),
            None => value
                .split(|c: char| c == ',' || c == '}' || c.is_whitespace())
                .next(),
        };
        if let Some(id) = id.filter(|id| !id.is_empty()) {
            ids.push(id.to_string());
        }
    }
    ids
}

// ---------------------------------------------------------------------------
// Changes

fn is_true(value: Option<&String>) -> bool {
    value.is_some_and(|v| v.eq_ignore_ascii_case("true"))
}

impl Change {
    fn attr(&self, key: &str) -> Option<&str> {
        self.attrs
            .get(key)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    /// `schema.table` from a change's table and schema attributes.
    fn table_named(&self, table_key: &str, schema_key: &str) -> Option<String> {
        let table = self.attr(table_key)?;
        Some(match self.attr(schema_key) {
            Some(schema) => format!("{schema}.{table}"),
            None => table.to_string(),
        })
    }

    fn table(&self) -> Option<String> {
        self.table_named("tableName", "schemaName")
    }

    /// An operation on the change's table and, when given, column.
    fn on(&self, kind: OpKind, compat: Compat, column_key: Option<&str>) -> Operation {
        let mut operation = Operation::new(kind, compat);
        if let Some(table) = self.table() {
            operation = operation.table(table);
        }
        if let Some(column) = column_key.and_then(|key| self.attr(key)) {
            operation = operation.column(column);
        }
        operation
    }

    /// An operation on a named object (view, index, sequence, routine).
    fn named(&self, kind: OpKind, compat: Compat, name_key: &str) -> Operation {
        let operation = Operation::new(kind, compat);
        match self.table_named(name_key, "schemaName") {
            Some(name) => operation.table(name),
            None => operation,
        }
    }

    fn single_column(&self, list_key: Option<&str>) -> Option<String> {
        match list_key.and_then(|key| self.attr(key)) {
            Some(list) if !list.contains(',') => Some(list.trim().to_string()),
            _ => match self.columns.as_slice() {
                [only] => only.attrs.get("name").cloned(),
                _ => None,
            },
        }
    }
}

fn with_column(operation: Operation, column: Option<String>) -> Operation {
    match column {
        Some(column) => operation.column(column),
        None => operation,
    }
}

fn classify(change: &Change) -> Vec<Operation> {
    use Compat::{Contract, Expand, Unknown};
    let one = |operation: Operation| vec![operation];
    match change.kind.as_str() {
        "createTable" => one(change.on(OpKind::CreateTable, Expand, None)),
        "dropTable" => one(change.on(OpKind::DropTable, Contract, None)),
        "renameTable" => {
            let mut renamed = Operation::new(OpKind::RenameTable, Contract);
            if let Some(old) = change.table_named("oldTableName", "schemaName") {
                renamed = renamed.table(old);
            }
            if let Some(new) = change.attr("newTableName") {
                renamed = renamed.note(format!("renamed to {new}"));
            }
            one(renamed)
        }
        "addColumn" => change
            .columns
            .iter()
            .map(|column| add_column(change, column))
            .collect(),
        "dropColumn" => {
            let mut names: Vec<&str> = change.attr("columnName").into_iter().collect();
            names.extend(
                change
                    .columns
                    .iter()
                    .filter_map(|c| c.attrs.get("name").map(String::as_str)),
            );
            if names.is_empty() {
                return one(change.on(OpKind::DropColumn, Contract, None));
            }
            names
                .into_iter()
                .map(|name| change.on(OpKind::DropColumn, Contract, None).column(name))
                .collect()
        }
        "renameColumn" => {
            let renamed = change.on(OpKind::RenameColumn, Contract, Some("oldColumnName"));
            one(match change.attr("newColumnName") {
                Some(new) => renamed.note(format!("renamed to {new}")),
                None => renamed,
            })
        }
        "modifyDataType" => one(change.on(OpKind::AlterColumnType, Contract, Some("columnName"))),
        "addNotNullConstraint" => one(change
            .on(OpKind::SetNotNull, Contract, Some("columnName"))
            .note("old writes that leave it null fail")),
        "dropNotNullConstraint" => one(change.on(OpKind::DropNotNull, Expand, Some("columnName"))),
        "addDefaultValue" => one(change.on(OpKind::SetDefault, Expand, Some("columnName"))),
        "dropDefaultValue" => one(change
            .on(OpKind::DropDefault, Contract, Some("columnName"))
            .note("old writes that omit the column may fail")),
        "addAutoIncrement" => one(change.on(OpKind::SetDefault, Expand, Some("columnName"))),
        "createIndex" => {
            let created = if is_true(change.attrs.get("unique")) {
                change
                    .on(OpKind::AddUnique, Contract, None)
                    .note(format!("{MAY_VIOLATE}; {LOCKS}"))
            } else {
                change.on(OpKind::CreateIndex, Expand, None).note(LOCKS)
            };
            one(with_column(created, change.single_column(None)))
        }
        "dropIndex" => one(change.named(OpKind::DropIndex, Expand, "indexName")),
        "addUniqueConstraint" => one(with_column(
            change
                .on(OpKind::AddUnique, Contract, None)
                .note(MAY_VIOLATE),
            change.single_column(Some("columnNames")),
        )),
        "addPrimaryKey" => one(with_column(
            change
                .on(OpKind::AddPrimaryKey, Contract, None)
                .note(MAY_VIOLATE),
            change.single_column(Some("columnNames")),
        )),
        "addCheckConstraint" => one(change
            .on(OpKind::AddCheck, Contract, None)
            .note(MAY_VIOLATE)),
        "addForeignKeyConstraint" => {
            let mut added = Operation::new(OpKind::AddForeignKey, Expand)
                .note("old writes must reference existing rows");
            if let Some(table) = change.table_named("baseTableName", "baseTableSchemaName") {
                added = added.table(table);
            }
            one(with_column(
                added,
                change.single_column(Some("baseColumnNames")),
            ))
        }
        "addLookupTable" => {
            let mut added = Operation::new(OpKind::AddForeignKey, Expand)
                .note("old writes must reference existing rows");
            if let Some(table) = change.table_named("existingTableName", "existingTableSchemaName")
            {
                added = added.table(table);
            }
            one(with_column(
                added,
                change.attr("existingColumnName").map(str::to_string),
            ))
        }
        "dropForeignKeyConstraint" => {
            let mut dropped = Operation::new(OpKind::DropConstraint, Expand);
            if let Some(table) = change.table_named("baseTableName", "baseTableSchemaName") {
                dropped = dropped.table(table);
            }
            one(dropped)
        }
        "dropUniqueConstraint"
        | "dropPrimaryKey"
        | "dropCheckConstraint"
        | "dropAllForeignKeyConstraints" => {
            let mut dropped = change.on(OpKind::DropConstraint, Expand, None);
            if dropped.table.is_none()
                && let Some(table) = change.table_named("baseTableName", "baseTableSchemaName")
            {
                dropped = dropped.table(table);
            }
            one(dropped)
        }
        "mergeColumns" => ["column1Name", "column2Name"]
            .iter()
            .filter_map(|key| change.attr(key))
            .map(|column| {
                change
                    .on(OpKind::DropColumn, Contract, None)
                    .column(column)
                    .note("merged into another column")
            })
            .collect(),
        "insert" | "loadData" | "loadUpdateData" => {
            one(change.on(OpKind::InsertRows, Expand, None))
        }
        "update" => one(change.on(OpKind::UpdateRows, Expand, None)),
        "delete" => one(change.on(OpKind::DeleteRows, Contract, None)),
        "sql" => change
            .sql
            .as_deref()
            .map(super::sql::read)
            .unwrap_or_default(),
        "sqlFile" => {
            one(Operation::new(OpKind::NotRead, Unknown)
                .note("sqlFile: the file it names is not read"))
        }
        "customChange" => {
            one(Operation::new(OpKind::RunCode, Unknown).note("customChange: a Java class runs"))
        }
        "executeCommand" => one(Operation::new(OpKind::RunCode, Unknown)
            .note("executeCommand: an external program runs")),
        "createView" => one(if is_true(change.attrs.get("replaceIfExists")) {
            change
                .named(OpKind::ReplaceView, Unknown, "viewName")
                .note("old code may read columns it changes")
        } else {
            change.named(OpKind::CreateView, Expand, "viewName")
        }),
        "dropView" => one(change.named(OpKind::DropView, Contract, "viewName")),
        "renameView" => {
            let renamed = change.named(OpKind::RenameTable, Contract, "oldViewName");
            one(match change.attr("newViewName") {
                Some(new) => renamed.note(format!("a view, renamed to {new}")),
                None => renamed.note("a view"),
            })
        }
        "createSequence" => one(change.named(OpKind::CreateSequence, Expand, "sequenceName")),
        "alterSequence" => one(change.named(OpKind::AlterSequence, Expand, "sequenceName")),
        "renameSequence" => one(change
            .named(OpKind::AlterSequence, Contract, "oldSequenceName")
            .note("renames the sequence: old code that names it fails")),
        "dropSequence" => one(change.named(OpKind::DropSequence, Contract, "sequenceName")),
        "createProcedure" | "createFunction" | "createTrigger" => {
            let key = routine_key(&change.kind);
            one(if is_true(change.attrs.get("replaceIfExists")) {
                change
                    .named(OpKind::ReplaceRoutine, Unknown, key)
                    .note("old code may rely on what it replaces")
            } else {
                change.named(OpKind::CreateRoutine, Expand, key)
            })
        }
        "dropProcedure" | "dropFunction" | "dropTrigger" => {
            one(change.named(OpKind::DropRoutine, Contract, routine_key(&change.kind)))
        }
        "setTableRemarks" | "setColumnRemarks" => {
            one(change.on(OpKind::Comment, Expand, Some("columnName")))
        }
        // Markers and messages: nothing changes in the database.
        "tagDatabase" | "empty" | "output" | "stop" => Vec::new(),
        other => one(Operation::new(OpKind::NotUnderstood, Unknown)
            .note(format!("change type not classified: {other}"))),
    }
}

fn routine_key(kind: &str) -> &'static str {
    if kind.ends_with("Procedure") {
        "procedureName"
    } else if kind.ends_with("Function") {
        "functionName"
    } else {
        "triggerName"
    }
}

/// One column of an `addColumn`: a NOT NULL column old inserts cannot
/// fill, or a constraint old writes may break, is a contract.
fn add_column(change: &Change, column: &Column) -> Operation {
    let has = |key: &str| column.attrs.get(key).is_some_and(|v| !v.is_empty());
    let default = [
        "defaultValue",
        "defaultValueNumeric",
        "defaultValueBoolean",
        "defaultValueDate",
        "defaultValueComputed",
        "defaultValueSequenceNext",
    ]
    .iter()
    .any(|key| has(key))
        || is_true(column.attrs.get("autoIncrement"))
        || column.attrs.get("type").is_some_and(|t| {
            matches!(
                t.to_ascii_lowercase().as_str(),
                "serial" | "bigserial" | "smallserial"
            )
        });
    // `value…` fills the existing rows once; it is no database default.
    let filled = [
        "value",
        "valueNumeric",
        "valueBoolean",
        "valueDate",
        "valueComputed",
    ]
    .iter()
    .any(|key| has(key));
    let not_null = column
        .constraints
        .get("nullable")
        .is_some_and(|v| v.eq_ignore_ascii_case("false"));
    let why = if is_true(column.constraints.get("primaryKey")) {
        Some("a primary key: old writes may violate it")
    } else if not_null && !default && filled {
        Some("value= fills existing rows, it is no database default: old inserts that omit it fail")
    } else if not_null && !default {
        Some("NOT NULL without a database default: old inserts that omit it fail")
    } else if is_true(column.constraints.get("unique")) {
        Some("unique: old writes may violate it")
    } else if column.constraints.contains_key("checkConstraint") {
        Some("a check constraint: old writes may violate it")
    } else {
        None
    };
    let mut added = match why {
        Some(why) => change
            .on(OpKind::AddColumn, Compat::Contract, None)
            .note(why),
        None => change.on(OpKind::AddColumn, Compat::Expand, None),
    };
    if let Some(name) = column.attrs.get("name") {
        added = added.column(name.clone());
    }
    added
}

#[cfg(test)]
#[path = "liquibase_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "liquibase_changelog_tests.rs"]
mod changelog_tests;
