//! Alembic revisions: the statements of `upgrade()` (never `downgrade()`),
//! each `op.*` call (and `batch_op.*` inside `op.batch_alter_table`) classed
//! by what it does to the database; any other statement is arbitrary code.
//!
//! Only literal arguments are read: a table or column held in a variable
//! leaves the operation without a table, and SQL built by code is dynamic.

mod arguments;
mod operations;
mod statements;

use super::python::{self, Imports};
use super::{Compat, OpKind, Operation};
use std::collections::HashMap;
use tree_sitter::Node;

pub(crate) fn read(text: &str) -> Vec<Operation> {
    let tree = match python::parse(text) {
        Ok(tree) => tree,
        Err(failed) => return vec![failed],
    };
    let root = tree.root_node();
    let mut reader = Reader {
        src: text,
        imports: Imports::of(root, text),
        definitions: HashMap::new(),
    };
    let mut upgrade = None;
    for statement in python::statements(root) {
        let definition = match statement.kind() {
            "decorated_definition" => statement.child_by_field_name("definition"),
            _ => Some(statement),
        };
        match definition {
            Some(d) if d.kind() == "function_definition" => {
                let named_upgrade = d
                    .child_by_field_name("name")
                    .is_some_and(|n| python::text(n, text) == "upgrade");
                if named_upgrade {
                    // The last definition wins, as in Python.
                    upgrade = d.child_by_field_name("body");
                }
            }
            _ => {
                if let Some((left, Some(right))) = python::assignment(statement) {
                    reader.define(left, right);
                }
            }
        }
    }
    let Some(body) = upgrade else {
        return vec![Operation::new(OpKind::NotUnderstood, Compat::Unknown).note("no upgrade()")];
    };
    let mut out = Vec::new();
    reader.block(body, None, false, &mut out, 0);
    out
}

fn on(mut op: Operation, table: Option<String>, column: Option<String>) -> Operation {
    op.table = table;
    op.column = column;
    op
}

fn code(note: String) -> Operation {
    Operation::new(OpKind::RunCode, Compat::Unknown).note(note)
}

/// `with op.batch_alter_table("t") as batch_op:`: the name its operations
/// are called on and the table they alter.
#[derive(Clone)]
struct Batch {
    alias: String,
    table: Option<String>,
}

/// One revision being read. Its methods live in the submodules: walking
/// the statements, reading arguments, mapping `op` calls to operations.
struct Reader<'s, 't> {
    src: &'s str,
    imports: Imports,
    /// Names assigned so far (module level, then in `upgrade()`) and their
    /// values: resolves `bulk_insert(my_table, …)`.
    /// A later assignment replaces an earlier one, as in Python.
    definitions: HashMap<String, Node<'t>>,
}

#[cfg(test)]
#[path = "alembic_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "alembic_props.rs"]
mod props;

#[cfg(test)]
#[path = "alembic_sql_tests.rs"]
mod sql_tests;
