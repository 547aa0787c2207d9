//! Rails migrations (`ActiveRecord::Migration` subclasses) read through
//! tree-sitter's Ruby grammar: the migration DSL calls of `change` (or `up`)
//! become operations, SQL given to `execute` goes to the SQL reader, and any
//! other Ruby is arbitrary code, so `unknown`.
//!
//! Only literal arguments are evaluated (symbols, strings, numbers, booleans,
//! `nil`, arrays, hashes, lambdas as database default expressions), plus the
//! names a class constant or a local variable binds to such a literal.

use super::{Compat, OpKind, Operation};
use literal::Value;
use std::collections::HashMap;
use tree::{heredocs, migration_classes, parse_error};
use tree_sitter::{Node, Parser};

mod dsl;
mod literal;
mod rules;
mod tree;
mod walk;

/// How deep blocks, conditions and literals may nest before the reader stops
/// descending: a hostile text of thousands of nested blocks must not exhaust
/// the stack.
const MAX_DEPTH: usize = 48;

/// Reads a Rails migration's operations.
pub(crate) fn read(text: &str) -> Vec<Operation> {
    let mut parser = Parser::new();
    if parser
        .set_language(&tree_sitter_ruby::LANGUAGE.into())
        .is_err()
    {
        return vec![not_understood("the Ruby grammar did not load")];
    }
    let Some(tree) = parser.parse(text, None) else {
        return vec![not_understood("parse error: no syntax tree")];
    };
    let root = tree.root_node();
    if root.has_error() {
        return vec![parse_error(root, text)];
    }
    let classes = migration_classes(root, text);
    if classes.is_empty() {
        return vec![not_understood("no ActiveRecord::Migration class")];
    }
    let mut walker = Walker {
        src: text,
        heredocs: heredocs(root),
        legacy: false,
        env: HashMap::new(),
        ops: Vec::new(),
    };
    for class in classes {
        walker.class(class);
    }
    walker.ops
}

fn not_understood(note: impl Into<String>) -> Operation {
    Operation::new(OpKind::NotUnderstood, Compat::Unknown).note(note)
}

fn op(kind: OpKind, compat: Compat, table: Option<String>, column: Option<String>) -> Operation {
    let mut operation = Operation::new(kind, compat);
    operation.table = table;
    operation.column = column;
    operation
}

/// The text of a node; empty where the range does not fall on character
/// boundaries (tree-sitter counts bytes).
fn text_of<'t>(src: &'t str, node: Node) -> &'t str {
    src.get(node.byte_range()).unwrap_or("")
}

/// The first line of a node's text, cut short, for a note.
fn snippet(src: &str, node: Node) -> String {
    let line = text_of(src, node).lines().next().unwrap_or("").trim();
    let mut short: String = line.chars().take(60).collect();
    if short.len() < line.len() {
        short.push('…');
    }
    short
}

/// What the statements of a block may refer to: a `change_table` block's
/// table variable, a `reversible` block's direction variable.
#[derive(Debug, Clone, Default)]
struct Scope {
    table_var: Option<String>,
    table: Option<String>,
    dir_var: Option<String>,
}

struct Walker<'t> {
    src: &'t str,
    heredocs: HashMap<usize, Node<'t>>,
    /// `ActiveRecord::Migration` before 5.0: timestamps nullable and
    /// references unindexed by default.
    legacy: bool,
    /// Class constants and local variables bound to literals.
    env: HashMap<String, Value>,
    ops: Vec<Operation>,
}

impl<'t> Walker<'t> {
    fn text(&self, node: Node) -> &'t str {
        text_of(self.src, node)
    }

    fn code(&mut self, node: Node) {
        let note = format!("arbitrary code: {}", snippet(self.src, node));
        self.ops
            .push(Operation::new(OpKind::RunCode, Compat::Unknown).note(note));
    }
}

#[cfg(test)]
#[path = "rails_column_tests.rs"]
mod column_tests;
#[cfg(test)]
#[path = "rails_corpus_tests.rs"]
mod corpus_tests;
#[cfg(test)]
#[path = "rails_index_tests.rs"]
mod index_tests;
#[cfg(test)]
#[path = "rails_parse_tests.rs"]
mod parse_tests;
#[cfg(test)]
#[path = "rails_table_tests.rs"]
mod table_tests;
#[cfg(test)]
#[path = "rails_tests.rs"]
mod tests;
