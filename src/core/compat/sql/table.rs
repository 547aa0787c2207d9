//! `ALTER TABLE` and what it adds: its clauses, a column's changes, an
//! added column's options, table constraints, and `CREATE INDEX`.

use super::shared::{first_keywords, name, not_classified, op, owner_change};
use crate::core::compat::{Compat, OpKind, Operation};
use sqlparser::ast::{
    AlterColumnOperation, AlterTableOperation, ColumnDef, ColumnOption, CreateIndex, Expr,
    IndexColumn, RenameTableNameKind, TableConstraint,
};
use sqlparser::tokenizer::Token;

/// Why an index built without `CONCURRENTLY` matters during a deploy.
const LOCKS: &str = "locks writes while it builds";
const MAY_VIOLATE: &str = "old writes may violate it";
const NOT_NULL_NO_DEFAULT: &str =
    "NOT NULL without a database default: old inserts that omit it fail";

pub(super) fn alter_table(
    table: &str,
    operations: &[AlterTableOperation],
    out: &mut Vec<Operation>,
) {
    use Compat::{Contract, Expand};
    for operation in operations {
        let on_table = |kind, compat| op(kind, compat).table(table);
        // MySQL's MODIFY and CHANGE restate the whole column definition:
        // without the previous one, any of its type, nullability or
        // default may change.
        let restated = |column: &str, clause: &str| {
            on_table(OpKind::AlterColumnType, Contract)
                .column(column)
                .note(format!(
                    "{clause} restates the column: its type or nullability may change"
                ))
        };
        match operation {
            AlterTableOperation::AddColumn { column_def, .. } => {
                out.push(add_column(table, column_def));
            }
            AlterTableOperation::AddConstraint { constraint, .. } => {
                out.push(add_constraint(table, constraint));
            }
            AlterTableOperation::DropColumn { column_names, .. } => {
                for column in column_names {
                    out.push(on_table(OpKind::DropColumn, Contract).column(column.value.clone()));
                }
            }
            AlterTableOperation::RenameColumn {
                old_column_name,
                new_column_name,
            } => out.push(
                on_table(OpKind::RenameColumn, Contract)
                    .column(old_column_name.value.clone())
                    .note(format!("renamed to {}", new_column_name.value)),
            ),
            AlterTableOperation::RenameTable { table_name } => {
                let (RenameTableNameKind::As(new_name) | RenameTableNameKind::To(new_name)) =
                    table_name;
                out.push(
                    on_table(OpKind::RenameTable, Contract)
                        .note(format!("renamed to {}", name(new_name))),
                );
            }
            AlterTableOperation::AlterColumn { column_name, op } => {
                out.push(alter_column(table, &column_name.value, op));
            }
            AlterTableOperation::ModifyColumn { col_name, .. } => {
                out.push(restated(&col_name.value, "MODIFY"));
            }
            AlterTableOperation::ChangeColumn {
                old_name, new_name, ..
            } => out.push(if old_name.value == new_name.value {
                restated(&old_name.value, "CHANGE")
            } else {
                on_table(OpKind::RenameColumn, Contract)
                    .column(old_name.value.clone())
                    .note(format!(
                        "renamed to {} by CHANGE, which may also change its type",
                        new_name.value
                    ))
            }),
            AlterTableOperation::DropConstraint { .. }
            | AlterTableOperation::DropPrimaryKey { .. }
            | AlterTableOperation::DropForeignKey { .. } => {
                out.push(on_table(OpKind::DropConstraint, Expand));
            }
            AlterTableOperation::DropIndex { name: index } => {
                out.push(op(OpKind::DropIndex, Expand).table(index.value.clone()));
            }
            AlterTableOperation::RenameConstraint { old_name, new_name } => {
                out.push(on_table(OpKind::RenameIndex, Expand).note(format!(
                    "constraint {} renamed to {}",
                    old_name.value, new_name.value
                )))
            }
            // A NOT VALID constraint already holds for new writes; validating
            // it checks the existing rows only.
            AlterTableOperation::ValidateConstraint { .. } => out.push(
                on_table(OpKind::NoSchemaChange, Expand)
                    .note("validates a constraint new writes already obey"),
            ),
            // Clauses of the same statement (`ALGORITHM=INPLACE, LOCK=NONE`).
            AlterTableOperation::Algorithm { .. } | AlterTableOperation::Lock { .. } => {}
            AlterTableOperation::AutoIncrement { .. }
            | AlterTableOperation::SetLogged
            | AlterTableOperation::SetUnlogged
            | AlterTableOperation::ReplicaIdentity { .. }
            | AlterTableOperation::SetOptionsParens { .. }
            | AlterTableOperation::ResetOptions { .. }
            | AlterTableOperation::SetTblProperties { .. }
            | AlterTableOperation::DisableRowLevelSecurity
            | AlterTableOperation::NoForceRowLevelSecurity => {
                out.push(on_table(OpKind::NoSchemaChange, Expand));
            }
            AlterTableOperation::OwnerTo { .. } => out.push(owner_change(table.to_string())),
            other => out.push(
                not_classified(format!(
                    "ALTER TABLE {}",
                    first_keywords(&other.to_string())
                ))
                .table(table),
            ),
        }
    }
}

pub(super) fn alter_column(
    table: &str,
    column: &str,
    operation: &AlterColumnOperation,
) -> Operation {
    use Compat::{Contract, Expand};
    let on_column = |kind, compat| op(kind, compat).table(table).column(column);
    match operation {
        AlterColumnOperation::SetNotNull => {
            on_column(OpKind::SetNotNull, Contract).note("old writes that leave it null fail")
        }
        AlterColumnOperation::DropNotNull => on_column(OpKind::DropNotNull, Expand),
        AlterColumnOperation::SetDefault { .. } => on_column(OpKind::SetDefault, Expand),
        AlterColumnOperation::DropDefault => on_column(OpKind::DropDefault, Contract)
            .note("old writes that omit the column may fail"),
        AlterColumnOperation::SetDataType { .. } => on_column(OpKind::AlterColumnType, Contract),
        // `ADD GENERATED … AS IDENTITY`: the column gets a database default.
        AlterColumnOperation::AddGenerated { .. } => on_column(OpKind::SetDefault, Expand),
        other => not_classified(format!(
            "ALTER COLUMN {}",
            first_keywords(&other.to_string())
        ))
        .table(table)
        .column(column),
    }
}

/// PostgreSQL's serial types carry their own default (`nextval`).
fn is_serial(column: &ColumnDef) -> bool {
    let data_type = column.data_type.to_string().to_ascii_lowercase();
    matches!(
        data_type.as_str(),
        "serial" | "bigserial" | "smallserial" | "serial2" | "serial4" | "serial8"
    )
}

fn add_column(table: &str, column: &ColumnDef) -> Operation {
    let (mut not_null, mut default, mut unique, mut primary, mut check) =
        (false, is_serial(column), false, false, false);
    for option in &column.options {
        match &option.option {
            ColumnOption::NotNull => not_null = true,
            ColumnOption::Default(_)
            | ColumnOption::Generated { .. }
            | ColumnOption::Identity(_)
            | ColumnOption::Materialized(_)
            | ColumnOption::Alias(_) => default = true,
            // MySQL's AUTO_INCREMENT, SQLite's AUTOINCREMENT.
            ColumnOption::DialectSpecific(tokens) => {
                default |= tokens.iter().any(|t| match t {
                    Token::Word(w) => {
                        w.value.eq_ignore_ascii_case("auto_increment")
                            || w.value.eq_ignore_ascii_case("autoincrement")
                    }
                    _ => false,
                });
            }
            ColumnOption::Unique(_) => unique = true,
            ColumnOption::PrimaryKey(_) => primary = true,
            ColumnOption::Check(_) => check = true,
            _ => {}
        }
    }
    let added = |compat| {
        op(OpKind::AddColumn, compat)
            .table(table)
            .column(column.name.value.clone())
    };
    if primary {
        added(Compat::Contract).note("a primary key: old writes may violate it")
    } else if not_null && !default {
        added(Compat::Contract).note(NOT_NULL_NO_DEFAULT)
    } else if unique {
        added(Compat::Contract).note("unique: old writes may violate it")
    } else if check {
        added(Compat::Contract).note("a check constraint: old writes may violate it")
    } else {
        added(Compat::Expand)
    }
}

/// The column of a one-column index or constraint.
fn single_column(columns: &[IndexColumn]) -> Option<String> {
    match columns {
        [only] => match &only.column.expr {
            Expr::Identifier(ident) => Some(ident.value.clone()),
            Expr::CompoundIdentifier(parts) => parts.last().map(|i| i.value.clone()),
            _ => None,
        },
        _ => None,
    }
}

fn with_column(operation: Operation, column: Option<String>) -> Operation {
    match column {
        Some(column) => operation.column(column),
        None => operation,
    }
}

fn add_constraint(table: &str, constraint: &TableConstraint) -> Operation {
    use Compat::{Contract, Expand};
    let on_table = |kind, compat| op(kind, compat).table(table);
    // A key or an index names its column when it has only one.
    let keyed = |kind, columns: &[IndexColumn]| {
        with_column(
            on_table(kind, Contract).note(MAY_VIOLATE),
            single_column(columns),
        )
    };
    let index = |columns: &[IndexColumn]| {
        with_column(
            on_table(OpKind::CreateIndex, Expand).note(LOCKS),
            single_column(columns),
        )
    };
    match constraint {
        TableConstraint::Unique(unique) => keyed(OpKind::AddUnique, &unique.columns),
        TableConstraint::PrimaryKey(primary) => keyed(OpKind::AddPrimaryKey, &primary.columns),
        TableConstraint::ForeignKey(foreign) => {
            let column = match foreign.columns.as_slice() {
                [only] => Some(only.value.clone()),
                _ => None,
            };
            with_column(
                on_table(OpKind::AddForeignKey, Expand)
                    .note("old writes must reference existing rows"),
                column,
            )
        }
        TableConstraint::Check(_) => on_table(OpKind::AddCheck, Contract).note(MAY_VIOLATE),
        TableConstraint::Exclude(_) => on_table(OpKind::AddCheck, Contract)
            .note("an exclusion constraint: old writes may violate it"),
        TableConstraint::Index(indexed) => index(&indexed.columns),
        TableConstraint::FulltextOrSpatial(indexed) => index(&indexed.columns),
        TableConstraint::PrimaryKeyUsingIndex(_) => {
            on_table(OpKind::AddPrimaryKey, Contract).note(MAY_VIOLATE)
        }
        // The unique index exists already: writes obey it before this runs.
        TableConstraint::UniqueUsingIndex(_) => {
            on_table(OpKind::AddUnique, Expand).note("promotes an existing unique index")
        }
    }
}

pub(super) fn create_index(index: &CreateIndex) -> Operation {
    let table = name(&index.table_name);
    let column = single_column(&index.columns);
    let created = if index.unique {
        let note = if index.concurrently {
            MAY_VIOLATE.to_string()
        } else {
            format!("{MAY_VIOLATE}; {LOCKS}")
        };
        op(OpKind::AddUnique, Compat::Contract).note(note)
    } else if index.concurrently {
        op(OpKind::CreateIndex, Compat::Expand)
    } else {
        op(OpKind::CreateIndex, Compat::Expand).note(LOCKS)
    };
    with_column(created.table(table), column)
}
