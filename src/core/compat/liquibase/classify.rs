//! Each Liquibase change type classed as the operations it makes.

use super::changelog::{Change, Column};
use crate::core::compat::{Compat, OpKind, Operation, sql};

const LOCKS: &str = "locks writes while it builds";
const MAY_VIOLATE: &str = "old writes may violate it";

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
        self.named_in(kind, compat, name_key, "schemaName")
    }

    /// An operation on the object a name and schema attribute name, for the
    /// changes whose keys differ from `tableName` / `schemaName`.
    fn named_in(
        &self,
        kind: OpKind,
        compat: Compat,
        name_key: &str,
        schema_key: &str,
    ) -> Operation {
        let operation = Operation::new(kind, compat);
        match self.table_named(name_key, schema_key) {
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

pub(super) fn classify(change: &Change) -> Vec<Operation> {
    use Compat::{Contract, Expand, Unknown};
    let one = |operation: Operation| vec![operation];
    match change.kind.as_str() {
        "createTable" => one(change.on(OpKind::CreateTable, Expand, None)),
        "dropTable" => one(change.on(OpKind::DropTable, Contract, None)),
        "renameTable" => {
            let mut renamed = change.named(OpKind::RenameTable, Contract, "oldTableName");
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
            let added = change
                .named_in(
                    OpKind::AddForeignKey,
                    Expand,
                    "baseTableName",
                    "baseTableSchemaName",
                )
                .note("old writes must reference existing rows");
            one(with_column(
                added,
                change.single_column(Some("baseColumnNames")),
            ))
        }
        "addLookupTable" => {
            let added = change
                .named_in(
                    OpKind::AddForeignKey,
                    Expand,
                    "existingTableName",
                    "existingTableSchemaName",
                )
                .note("old writes must reference existing rows");
            one(with_column(
                added,
                change.attr("existingColumnName").map(str::to_string),
            ))
        }
        "dropForeignKeyConstraint" => one(change.named_in(
            OpKind::DropConstraint,
            Expand,
            "baseTableName",
            "baseTableSchemaName",
        )),
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
        "sql" => change.sql.as_deref().map(sql::read).unwrap_or_default(),
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
