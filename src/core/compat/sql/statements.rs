//! The mapping of each parsed statement to its operations: what it
//! changes, on which object, and whether old code keeps working
//! (`ALTER TABLE`, its columns, constraints and indexes are in `table`).

use super::shared::{first_keywords, name, not_classified, op, owner_change};
use super::table::{alter_column, alter_table, create_index};
use crate::core::compat::{Compat, OpKind, Operation};
use sqlparser::ast::{
    AlterDefaultPrivilegesOperation, AlterIndexOperation, AlterSchemaOperation, AlterTypeOperation,
    AlterViewOperation, CommentObject, DropFunction, FromTable, GrantObjects, ObjectName,
    ObjectType, Statement, TableFactor, TableObject,
};

const REPLACES: &str = "old code may rely on what it replaces";
const DYNAMIC: &str = "dynamic SQL: the statement it runs is not in the text";

/// Classifies each statement of a parsed text, in order.
pub(super) fn classify_all(statements: &[Statement], out: &mut Vec<Operation>) {
    for statement in statements {
        classify(statement, out);
    }
}

fn classify(statement: &Statement, out: &mut Vec<Operation>) {
    use Compat::{Contract, Expand, Unknown};
    match statement {
        Statement::CreateTable(create) => {
            out.push(op(OpKind::CreateTable, Expand).table(name(&create.name)));
        }
        Statement::CreateVirtualTable { name: table, .. } => {
            out.push(op(OpKind::CreateTable, Expand).table(name(table)));
        }
        Statement::AlterTable(alter) => alter_table(&name(&alter.name), &alter.operations, out),
        Statement::RenameTable(renames) => {
            for rename in renames {
                out.push(
                    op(OpKind::RenameTable, Contract)
                        .table(name(&rename.old_name))
                        .note(format!("renamed to {}", name(&rename.new_name))),
                );
            }
        }
        Statement::CreateIndex(index) => out.push(create_index(index)),
        Statement::AlterIndex {
            name: index,
            operation: AlterIndexOperation::RenameIndex { index_name },
        } => out.push(
            op(OpKind::RenameIndex, Expand)
                .table(name(index))
                .note(format!("renamed to {}", name(index_name))),
        ),
        Statement::Drop {
            object_type, names, ..
        } => {
            for dropped in names {
                out.push(drop(*object_type, name(dropped)));
            }
        }
        Statement::DropFunction(DropFunction {
            func_desc: routines,
            ..
        })
        | Statement::DropProcedure {
            proc_desc: routines,
            ..
        } => {
            for routine in routines {
                out.push(op(OpKind::DropRoutine, Contract).table(name(&routine.name)));
            }
        }
        Statement::DropTrigger(drop) => {
            out.push(op(OpKind::DropRoutine, Contract).table(name(&drop.trigger_name)));
        }
        Statement::DropDomain(drop) => {
            out.push(op(OpKind::DropType, Contract).table(name(&drop.name)));
        }
        Statement::DropExtension(drop) => {
            for extension in &drop.names {
                out.push(op(OpKind::DropExtension, Contract).table(extension.value.clone()));
            }
        }
        Statement::Insert(insert) => {
            let mut insert_op = op(OpKind::InsertRows, Expand);
            if let TableObject::TableName(table) = &insert.table {
                insert_op = insert_op.table(name(table));
            }
            out.push(insert_op);
        }
        Statement::Update(update) => {
            let mut update_op = op(OpKind::UpdateRows, Expand);
            if let Some(table) = relation_name(&update.table.relation) {
                update_op = update_op.table(table);
            }
            out.push(update_op);
        }
        Statement::Delete(delete) => {
            // MySQL's multi-table DELETE names the tables it deletes from;
            // otherwise it is the first FROM table (the others are joined).
            let tables: Vec<String> = if delete.tables.is_empty() {
                let (FromTable::WithFromKeyword(from) | FromTable::WithoutKeyword(from)) =
                    &delete.from;
                from.first()
                    .and_then(|t| relation_name(&t.relation))
                    .into_iter()
                    .collect()
            } else {
                delete.tables.iter().map(name).collect()
            };
            if tables.is_empty() {
                out.push(op(OpKind::DeleteRows, Contract));
            }
            for table in tables {
                out.push(op(OpKind::DeleteRows, Contract).table(table));
            }
        }
        Statement::Truncate(truncate) => {
            for target in &truncate.table_names {
                out.push(op(OpKind::Truncate, Contract).table(name(&target.name)));
            }
        }
        Statement::CreateView(view) => out.push(if view.or_replace || view.or_alter {
            replace_view(name(&view.name))
        } else {
            op(OpKind::CreateView, Expand).table(name(&view.name))
        }),
        Statement::AlterView(alter) => out.push(alter_view(&name(&alter.name), &alter.operation)),
        Statement::CreateFunction(function) => out.push(create_routine(
            name(&function.name),
            function.or_replace || function.or_alter,
        )),
        Statement::CreateProcedure {
            or_alter,
            name: routine,
            ..
        } => out.push(create_routine(name(routine), *or_alter)),
        Statement::CreateTrigger(trigger) => out.push(create_routine(
            name(&trigger.name),
            trigger.or_replace || trigger.or_alter,
        )),
        Statement::CreateType {
            name: type_name, ..
        } => {
            out.push(op(OpKind::CreateType, Expand).table(name(type_name)));
        }
        Statement::CreateDomain(domain) => {
            out.push(op(OpKind::CreateType, Expand).table(name(&domain.name)));
        }
        Statement::AlterType(alter) => {
            let type_name = name(&alter.name);
            out.push(match &alter.operation {
                AlterTypeOperation::AddValue(add) => op(OpKind::AlterType, Expand)
                    .table(type_name)
                    .note(format!("adds enum value {}", add.value.value)),
                AlterTypeOperation::RenameValue(rename) => op(OpKind::AlterType, Contract)
                    .table(type_name)
                    .note(format!(
                        "renames enum value {} to {}: old code that writes it fails",
                        rename.from.value, rename.to.value
                    )),
                AlterTypeOperation::Rename(rename) => op(OpKind::AlterType, Contract)
                    .table(type_name)
                    .note(format!("renamed to {}", rename.new_name.value)),
            });
        }
        Statement::CreateSequence { name: sequence, .. } => {
            out.push(op(OpKind::CreateSequence, Expand).table(name(sequence)));
        }
        Statement::CreateExtension(extension) => {
            out.push(op(OpKind::CreateExtension, Expand).table(extension.name.value.clone()));
        }
        Statement::CreateSchema { schema_name, .. } => {
            out.push(op(OpKind::CreateSchema, Expand).table(schema_name.to_string()));
        }
        Statement::AlterSchema(alter) => {
            let schema = name(&alter.name);
            for operation in &alter.operations {
                out.push(match operation {
                    AlterSchemaOperation::Rename { name: new_name } => {
                        op(OpKind::DropSchema, Contract)
                            .table(schema.clone())
                            .note(format!("renamed to {}", name(new_name)))
                    }
                    AlterSchemaOperation::OwnerTo { .. } => owner_change(schema.clone()),
                    _ => op(OpKind::NoSchemaChange, Expand).table(schema.clone()),
                });
            }
        }
        Statement::Comment {
            object_type,
            object_name,
            ..
        } => out.push(comment(*object_type, object_name)),
        Statement::Grant(grant) => {
            privileges(grant.objects.as_ref(), op(OpKind::Grant, Expand), out);
        }
        Statement::Revoke(revoked) => privileges(revoked.objects.as_ref(), revoke(), out),
        Statement::CreateRole(role) => {
            for created in &role.names {
                out.push(op(OpKind::Grant, Expand).table(name(created)));
            }
        }
        Statement::CreateUser(user) => {
            out.push(op(OpKind::Grant, Expand).table(user.name.value.clone()));
        }
        Statement::GrantRole(_) => out.push(op(OpKind::Grant, Expand)),
        Statement::RevokeRole(_) => out.push(revoke()),
        Statement::AlterDefaultPrivileges(alter) => out.push(match alter.operation {
            AlterDefaultPrivilegesOperation::Grant { .. } => op(OpKind::Grant, Expand),
            _ => revoke(),
        }),
        Statement::Set(_)
        | Statement::Reset(_)
        | Statement::Use(_)
        | Statement::Pragma { .. }
        | Statement::AlterSession { .. } => out.push(op(OpKind::Session, Expand)),
        // A transaction around the migration's statements is no operation;
        // a BEGIN … END block's statements are.
        Statement::StartTransaction { statements, .. } => classify_all(statements, out),
        Statement::Commit { .. }
        | Statement::Rollback { .. }
        | Statement::Savepoint { .. }
        | Statement::ReleaseSavepoint { .. } => {}
        Statement::Execute { .. } | Statement::Prepare { .. } => {
            out.push(op(OpKind::RunCode, Unknown).note(DYNAMIC));
        }
        Statement::Call(function) => out.push(
            op(OpKind::RunCode, Unknown)
                .table(name(&function.name))
                .note("calls a procedure"),
        ),
        Statement::Analyze(_)
        | Statement::Vacuum(_)
        | Statement::Lock(_)
        | Statement::LockTables { .. }
        | Statement::UnlockTables
        | Statement::RefreshMaterializedView(_) => out.push(op(OpKind::NoSchemaChange, Expand)),
        other => out.push(not_classified(first_keywords(&other.to_string()))),
    }
}

fn relation_name(relation: &TableFactor) -> Option<String> {
    match relation {
        TableFactor::Table { name: table, .. } => Some(name(table)),
        _ => None,
    }
}

/// One privilege change per named object, or one for all.
fn privileges(objects: Option<&GrantObjects>, change: Operation, out: &mut Vec<Operation>) {
    let named = match objects {
        Some(
            GrantObjects::Tables(names)
            | GrantObjects::Views(names)
            | GrantObjects::Sequences(names)
            | GrantObjects::Schemas(names),
        ) => names.as_slice(),
        _ => &[],
    };
    if named.is_empty() {
        out.push(change);
    } else {
        out.extend(
            named
                .iter()
                .map(|object| change.clone().table(name(object))),
        );
    }
}

fn revoke() -> Operation {
    op(OpKind::Grant, Compat::Contract).note("revokes privileges old code may use")
}

/// A routine created, or replaced: recovery calls this too, for the
/// `CREATE [OR REPLACE] FUNCTION` sqlparser does not parse.
pub(super) fn create_routine(routine: String, replaces: bool) -> Operation {
    if replaces {
        op(OpKind::ReplaceRoutine, Compat::Unknown)
            .table(routine)
            .note(REPLACES)
    } else {
        op(OpKind::CreateRoutine, Compat::Expand).table(routine)
    }
}

fn replace_view(view: String) -> Operation {
    op(OpKind::ReplaceView, Compat::Unknown)
        .table(view)
        .note("old code may read columns it changes")
}

fn drop(object_type: ObjectType, dropped: String) -> Operation {
    use Compat::{Contract, Expand};
    match object_type {
        ObjectType::Table | ObjectType::ForeignTable => op(OpKind::DropTable, Contract),
        ObjectType::View | ObjectType::MaterializedView => op(OpKind::DropView, Contract),
        ObjectType::Index => op(OpKind::DropIndex, Expand),
        ObjectType::Schema | ObjectType::Database => op(OpKind::DropSchema, Contract),
        ObjectType::Sequence => op(OpKind::DropSequence, Contract),
        ObjectType::Type => op(OpKind::DropType, Contract),
        ObjectType::Role | ObjectType::User | ObjectType::Group => {
            op(OpKind::Grant, Contract).note("drops a role old code may connect as")
        }
        other => return not_classified(format!("DROP {other}")),
    }
    .table(dropped)
}

fn comment(object_type: CommentObject, object: &ObjectName) -> Operation {
    let commented = op(OpKind::Comment, Compat::Expand);
    match (object_type, object.0.split_last()) {
        (CommentObject::Column, Some((column, table))) if !table.is_empty() => {
            let table = ObjectName(table.to_vec());
            commented
                .table(name(&table))
                .column(name(&ObjectName(vec![column.clone()])))
        }
        _ => commented.table(name(object)),
    }
}

fn alter_view(view: &str, operation: &AlterViewOperation) -> Operation {
    use Compat::{Contract, Expand};
    match operation {
        AlterViewOperation::As { .. } => replace_view(view.to_string()),
        AlterViewOperation::RenameTo { new_name } => op(OpKind::RenameTable, Contract)
            .table(view)
            .note(format!("a view, renamed to {}", name(new_name))),
        AlterViewOperation::SetSchema { schema_name } => op(OpKind::RenameTable, Contract)
            .table(view)
            .note(format!("a view, moved to schema {}", name(schema_name))),
        AlterViewOperation::RenameColumn {
            old_column_name,
            new_column_name,
        } => op(OpKind::RenameColumn, Contract)
            .table(view)
            .column(old_column_name.value.clone())
            .note(format!("renamed to {}", new_column_name.value)),
        AlterViewOperation::AlterColumn { column_name, op } => {
            alter_column(view, &column_name.value, op)
        }
        AlterViewOperation::OwnerTo(_) => owner_change(view.to_string()),
        _ => op(OpKind::NoSchemaChange, Expand).table(view),
    }
}
