//! Reading an `op` call's arguments: literal strings and lists, names
//! assigned earlier, and where each argument sits in or out of a batch.

use super::Reader;
use crate::core::compat::python::{self, Call, Literal};
use tree_sitter::Node;

/// Constructors whose result only describes schema for later `op` calls
/// (`sa.table(…)` for `bulk_insert`, `postgresql.ENUM(…)` for a column):
/// assigning one runs nothing against the database.
const DEFINITIONS: [&str; 8] = [
    "Table", "table", "Column", "column", "ENUM", "Enum", "MetaData", "f",
];

impl<'s, 't> Reader<'s, 't> {
    pub(super) fn define(&mut self, left: Node<'t>, right: Node<'t>) {
        if left.kind() == "identifier" {
            self.definitions
                .insert(python::text(left, self.src).to_string(), right);
        }
    }

    /// The value last assigned to a name.
    pub(super) fn definition(&self, name: &str) -> Option<Node<'t>> {
        self.definitions.get(name).copied()
    }

    pub(super) fn string(&self, node: Option<Node>) -> Option<String> {
        let node = node?;
        // `op.f("ix_name")` marks a name as already conventional.
        if let Some(call) = python::call(node, self.src) {
            if self.is_op(&call).as_deref() == Some("f") {
                return self.string(call.arg(0, "name"));
            }
            return None;
        }
        python::literal(node, self.src).and_then(|l| l.as_str().map(str::to_string))
    }

    pub(super) fn literal(&self, node: Option<Node>) -> Option<Literal> {
        node.and_then(|n| python::literal(n, self.src))
    }

    /// The method of an `op.X(…)` call (`op` as `from alembic import op`
    /// binds it, or plain `op` in a text without imports).
    pub(super) fn is_op(&self, call: &Call) -> Option<String> {
        let written = call.name.as_deref()?;
        let resolved = self.imports.resolve(written);
        let method = resolved.strip_prefix("alembic.op.").or_else(|| {
            (resolved == written)
                .then(|| written.strip_prefix("op."))
                .flatten()
        })?;
        (!method.contains('.')).then(|| method.to_string())
    }

    /// A call to one of the schema-describing constructors.
    pub(super) fn is_definition(&self, node: Node) -> bool {
        python::call(node, self.src)
            .is_some_and(|c| c.name.is_some() && DEFINITIONS.contains(&c.short_name()))
    }

    /// A list of column names, joined.
    pub(super) fn columns(&self, node: Option<Node>) -> Option<String> {
        self.literal(node)
            .and_then(|l| l.strings())
            .filter(|c| !c.is_empty())
            .map(|c| c.join(", "))
    }

    /// The table name of `sa.table("t", …)` / `sa.Table("t", …)`, written
    /// in place or assigned to a name earlier.
    pub(super) fn table_of(&self, node: Node) -> Option<String> {
        let value = match node.kind() {
            "identifier" => self.definition(python::text(node, self.src))?,
            _ => node,
        };
        let call = python::call(value, self.src)?;
        matches!(call.short_name(), "table" | "Table")
            .then(|| self.string(call.arg(0, "name")))
            .flatten()
    }
}

/// A call's arguments as an `op` method takes them, in or out of a batch.
pub(super) struct Args<'c, 't> {
    pub(super) call: &'c Call<'t>,
    /// `Some` in a batch: the table of its `with` (`Some(None)` if that is
    /// not a literal).
    pub(super) batch: Option<Option<String>>,
    /// Where the table argument sits in the `op` form.
    pub(super) table_at: usize,
}

impl<'t> Args<'_, 't> {
    pub(super) fn table(&self, reader: &Reader<'_, 't>, keyword: &str) -> Option<String> {
        match &self.batch {
            Some(table) => table.clone(),
            None => reader.string(self.call.arg(self.table_at, keyword)),
        }
    }

    /// The argument at `index` of the `op` form, or by keyword.
    pub(super) fn arg(&self, index: usize, keyword: &str) -> Option<Node<'t>> {
        let index = match self.batch {
            Some(_) if index > self.table_at => index - 1,
            _ => index,
        };
        self.call.arg(index, keyword)
    }
}
