//! The statements of `upgrade()`: which run nothing, which are arbitrary
//! code, and the `op` calls inside them (`with` blocks included).

use super::{Batch, Reader, code};
use crate::core::compat::Operation;
use crate::core::compat::python::{self, Call};
use tree_sitter::Node;

/// How deep `with` and compound statements may nest before the rest is
/// left unread: bounds the recursion whatever the text.
const MAX_NESTING: usize = 32;

impl<'s, 't> Reader<'s, 't> {
    /// The statements of a block. `quiet` inside code already reported as
    /// arbitrary (a loop's body): only its `op` calls are added.
    pub(super) fn block(
        &mut self,
        block: Node<'t>,
        batch: Option<&Batch>,
        quiet: bool,
        out: &mut Vec<Operation>,
        depth: usize,
    ) {
        if depth > MAX_NESTING {
            if !quiet {
                out.push(code("statements nested too deep".to_string()));
            }
            return;
        }
        for statement in python::statements(block) {
            self.statement(statement, batch, quiet, out, depth);
        }
    }

    fn statement(
        &mut self,
        statement: Node<'t>,
        batch: Option<&Batch>,
        quiet: bool,
        out: &mut Vec<Operation>,
        depth: usize,
    ) {
        let arbitrary = |out: &mut Vec<Operation>| {
            if !quiet {
                out.push(code(format!(
                    "arbitrary code: {}",
                    python::snippet(statement, self.src)
                )));
            }
        };
        match statement.kind() {
            // Running nothing: defining a helper runs none of it (calling
            // it is arbitrary code), an import changes no schema.
            "pass_statement"
            | "function_definition"
            | "class_definition"
            | "decorated_definition"
            | "import_statement"
            | "import_from_statement"
            | "future_import_statement" => {}
            "return_statement" if python::children(statement).is_empty() => {}
            "expression_statement" => {
                if let Some((left, right)) = python::assignment(statement) {
                    let described = right.is_some_and(|r| {
                        python::literal(r, self.src).is_some() || self.is_definition(r)
                    });
                    if let Some(right) = right {
                        self.define(left, right);
                    }
                    if !described {
                        arbitrary(out);
                    }
                    return;
                }
                match python::expression(statement) {
                    // A docstring, or a string left as a statement.
                    Some(e) if matches!(e.kind(), "string" | "concatenated_string") => {}
                    Some(e) => match python::call(e, self.src) {
                        Some(call) => self.call(statement, &call, batch, quiet, out),
                        None => arbitrary(out),
                    },
                    None => arbitrary(out),
                }
            }
            "with_statement" => self.with(statement, batch, quiet, out, depth),
            _ => {
                // A loop, a condition, a try: code, yet the `op` calls it
                // holds still say what it does to the schema.
                arbitrary(out);
                for block in blocks(statement) {
                    self.block(block, batch, true, out, depth + 1);
                }
            }
        }
    }

    fn with(
        &mut self,
        statement: Node<'t>,
        batch: Option<&Batch>,
        quiet: bool,
        out: &mut Vec<Operation>,
        depth: usize,
    ) {
        let Some(body) = statement.child_by_field_name("body") else {
            return;
        };
        let items: Vec<Node> = python::children(statement)
            .into_iter()
            .filter(|c| c.kind() == "with_clause")
            .flat_map(python::children)
            .filter_map(|item| item.child_by_field_name("value"))
            .collect();
        if let [item] = items.as_slice() {
            let (value, alias) = match item.kind() {
                "as_pattern" => (
                    python::children(*item).first().copied(),
                    item.child_by_field_name("alias")
                        .map(|a| python::text(a, self.src).trim().to_string()),
                ),
                _ => (Some(*item), None),
            };
            if let Some(call) = value
                .and_then(|v| python::call(v, self.src))
                .filter(|c| self.is_op(c).as_deref() == Some("batch_alter_table"))
            {
                let inner = Batch {
                    alias: alias.unwrap_or_default(),
                    table: self.string(call.arg(0, "table_name")),
                };
                self.block(body, Some(&inner), quiet, out, depth + 1);
                return;
            }
            if value.is_some_and(|v| self.is_autocommit_block(v)) {
                // Commits around its statements (for CREATE INDEX
                // CONCURRENTLY, ALTER TYPE … ADD VALUE): runs them as is.
                self.block(body, batch, quiet, out, depth + 1);
                return;
            }
        }
        if !quiet {
            out.push(code(format!(
                "arbitrary code: {}",
                python::snippet(statement, self.src)
            )));
        }
        self.block(body, batch, true, out, depth + 1);
    }

    /// `op.get_context().autocommit_block()`.
    fn is_autocommit_block(&self, node: Node) -> bool {
        let node = python::unparen(node);
        let Some(function) = node
            .child_by_field_name("function")
            .filter(|_| node.kind() == "call")
        else {
            return false;
        };
        function.kind() == "attribute"
            && function
                .child_by_field_name("attribute")
                .is_some_and(|a| python::text(a, self.src) == "autocommit_block")
            && function
                .child_by_field_name("object")
                .and_then(|o| python::call(o, self.src))
                .is_some_and(|c| self.is_op(&c).as_deref() == Some("get_context"))
    }

    fn call(
        &mut self,
        statement: Node,
        call: &Call<'t>,
        batch: Option<&Batch>,
        quiet: bool,
        out: &mut Vec<Operation>,
    ) {
        let batch_method = batch.and_then(|b| {
            let method = call
                .name
                .as_deref()?
                .strip_prefix(&b.alias)?
                .strip_prefix('.')?;
            (!b.alias.is_empty() && !method.contains('.')).then(|| (method.to_string(), b))
        });
        let (method, batch) = match (batch_method, self.is_op(call)) {
            (Some((method, b)), _) => (method, Some(b)),
            (None, Some(method)) => (method, None),
            (None, None) => {
                // Helpers, `conn.execute(…)`, `my_enum.create(op.get_bind())`:
                // code, even when it only creates a type.
                if !quiet {
                    out.push(code(format!(
                        "arbitrary code: {}",
                        call.name
                            .clone()
                            .unwrap_or_else(|| python::snippet(statement, self.src))
                    )));
                }
                return;
            }
        };
        self.operation(&method, call, batch, out);
    }
}

/// The blocks of a compound statement: its body and those of its `elif`,
/// `else`, `except` and `finally` clauses.
fn blocks(statement: Node) -> Vec<Node> {
    let mut found = Vec::new();
    for child in python::children(statement) {
        match child.kind() {
            "block" => found.push(child),
            "elif_clause"
            | "else_clause"
            | "except_clause"
            | "except_group_clause"
            | "finally_clause"
            | "case_clause" => found.extend(
                python::children(child)
                    .into_iter()
                    .filter(|c| c.kind() == "block"),
            ),
            "match_block" => found.extend(blocks(child)),
            _ => {}
        }
    }
    found
}
