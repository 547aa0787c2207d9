//! Alembic revisions: the statements of `upgrade()` (never `downgrade()`),
//! each `op.*` call (and `batch_op.*` inside `op.batch_alter_table`) classed
//! by what it does to the database; any other statement is arbitrary code.
//!
//! Only literal arguments are read: a table or column held in a variable
//! leaves the operation without a table, and SQL built by code is dynamic.

use super::python::{self, Call, Imports, Literal};
use super::{Compat, OpKind, Operation};
use std::collections::HashMap;
use tree_sitter::Node;

/// How deep `with` and compound statements may nest before the rest is
/// left unread: bounds the recursion whatever the text.
const MAX_NESTING: usize = 32;

const LOCKS_WRITES: &str = "locks writes while it builds";
const MAY_VIOLATE: &str = "old writes may violate it";

/// Constructors whose result only describes schema for later `op` calls
/// (`sa.table(…)` for `bulk_insert`, `postgresql.ENUM(…)` for a column):
/// assigning one runs nothing against the database.
const DEFINITIONS: [&str; 8] = [
    "Table", "table", "Column", "column", "ENUM", "Enum", "MetaData", "f",
];

/// `op` methods that hand out the connection or run code: as statements
/// they are arbitrary code, not schema operations.
const CODE: [&str; 5] = [
    "get_bind",
    "get_context",
    "run_async",
    "invoke",
    "implementation_for",
];

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

struct Reader<'s, 't> {
    src: &'s str,
    imports: Imports,
    /// Names assigned so far (module level, then in `upgrade()`) and their
    /// values: resolves `bulk_insert(my_table, …)`.
    /// A later assignment replaces an earlier one, as in Python.
    definitions: HashMap<String, Node<'t>>,
}

impl<'s, 't> Reader<'s, 't> {
    fn define(&mut self, left: Node<'t>, right: Node<'t>) {
        if left.kind() == "identifier" {
            self.definitions
                .insert(python::text(left, self.src).to_string(), right);
        }
    }

    /// The value last assigned to a name.
    fn definition(&self, name: &str) -> Option<Node<'t>> {
        self.definitions.get(name).copied()
    }

    fn string(&self, node: Option<Node>) -> Option<String> {
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

    fn literal(&self, node: Option<Node>) -> Option<Literal> {
        node.and_then(|n| python::literal(n, self.src))
    }

    /// The method of an `op.X(…)` call (`op` as `from alembic import op`
    /// binds it, or plain `op` in a text without imports).
    fn is_op(&self, call: &Call) -> Option<String> {
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
    fn is_definition(&self, node: Node) -> bool {
        python::call(node, self.src)
            .is_some_and(|c| c.name.is_some() && DEFINITIONS.contains(&c.short_name()))
    }

    /// The statements of a block. `quiet` inside code already reported as
    /// arbitrary (a loop's body): only its `op` calls are added.
    fn block(
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

    /// One `op.X(…)` or `batch_op.X(…)` call.
    fn operation(
        &self,
        method: &str,
        call: &Call<'t>,
        batch: Option<&Batch>,
        out: &mut Vec<Operation>,
    ) {
        // In a batch the table comes from the `with`, and every positional
        // argument after it moves one place left.
        let args = |table_at: usize| Args {
            call,
            batch: batch.map(|b| b.table.clone()),
            table_at,
        };
        let op = Operation::new;
        let done = match method {
            "create_table" => {
                let a = args(0);
                on(
                    op(OpKind::CreateTable, Compat::Expand),
                    a.table(self, "table_name"),
                    None,
                )
            }
            "drop_table" => {
                let a = args(0);
                on(
                    op(OpKind::DropTable, Compat::Contract),
                    a.table(self, "table_name"),
                    None,
                )
            }
            "rename_table" => {
                let a = args(0);
                let o = on(
                    op(OpKind::RenameTable, Compat::Contract),
                    a.table(self, "old_table_name"),
                    None,
                );
                match self.string(a.arg(1, "new_table_name")) {
                    Some(new) => o.note(format!("to {new}")),
                    None => o,
                }
            }
            "add_column" => {
                self.add_column(&args(0), out);
                return;
            }
            "drop_column" => {
                let a = args(0);
                on(
                    op(OpKind::DropColumn, Compat::Contract),
                    a.table(self, "table_name"),
                    self.string(a.arg(1, "column_name")),
                )
            }
            "alter_column" => {
                self.alter_column(&args(0), out);
                return;
            }
            "create_index" => {
                let a = args(1);
                let table = a.table(self, "table_name");
                let columns = self.columns(a.arg(2, "columns"));
                let flag = |k: &str| self.literal(call.keyword(k)) == Some(Literal::Bool(true));
                if flag("unique") {
                    on(
                        op(OpKind::AddUnique, Compat::Contract)
                            .note(format!("unique index: {MAY_VIOLATE}")),
                        table,
                        columns,
                    )
                } else if flag("postgresql_concurrently") {
                    on(op(OpKind::CreateIndex, Compat::Expand), table, columns)
                } else {
                    on(
                        op(OpKind::CreateIndex, Compat::Expand).note(LOCKS_WRITES),
                        table,
                        columns,
                    )
                }
            }
            "drop_index" => {
                let a = args(1);
                on(
                    op(OpKind::DropIndex, Compat::Expand),
                    a.table(self, "table_name"),
                    None,
                )
            }
            "create_unique_constraint" => {
                let a = args(1);
                on(
                    op(OpKind::AddUnique, Compat::Contract).note(MAY_VIOLATE),
                    a.table(self, "table_name"),
                    self.columns(a.arg(2, "columns")),
                )
            }
            "create_foreign_key" => {
                let a = args(1);
                on(
                    op(OpKind::AddForeignKey, Compat::Expand)
                        .note("old writes must reference existing rows"),
                    a.table(self, "source_table"),
                    self.columns(a.arg(3, "local_cols")),
                )
            }
            "create_check_constraint" => {
                let a = args(1);
                on(
                    op(OpKind::AddCheck, Compat::Contract).note(MAY_VIOLATE),
                    a.table(self, "table_name"),
                    None,
                )
            }
            "create_exclude_constraint" => {
                let a = args(1);
                on(
                    op(OpKind::AddCheck, Compat::Contract)
                        .note(format!("exclusion constraint: {MAY_VIOLATE}")),
                    a.table(self, "table_name"),
                    None,
                )
            }
            "create_primary_key" => {
                let a = args(1);
                on(
                    op(OpKind::AddPrimaryKey, Compat::Contract),
                    a.table(self, "table_name"),
                    self.columns(a.arg(2, "columns")),
                )
            }
            "drop_constraint" => {
                let a = args(1);
                on(
                    op(OpKind::DropConstraint, Compat::Expand),
                    a.table(self, "table_name"),
                    None,
                )
            }
            "create_table_comment" | "drop_table_comment" => {
                let a = args(0);
                on(
                    op(OpKind::Comment, Compat::Expand),
                    a.table(self, "table_name"),
                    None,
                )
            }
            "bulk_insert" => on(
                op(OpKind::InsertRows, Compat::Expand),
                call.arg(0, "table").and_then(|t| self.table_of(t)),
                None,
            ),
            "execute" => {
                self.execute(call.arg(0, "sqltext"), out);
                return;
            }
            other if CODE.contains(&other) => code(format!("arbitrary code: op.{other}")),
            other => Operation::new(OpKind::NotUnderstood, Compat::Unknown)
                .note(format!("op.{other} not understood")),
        };
        out.push(done);
    }

    /// A list of column names, joined.
    fn columns(&self, node: Option<Node>) -> Option<String> {
        self.literal(node)
            .and_then(|l| l.strings())
            .filter(|c| !c.is_empty())
            .map(|c| c.join(", "))
    }

    /// The table name of `sa.table("t", …)` / `sa.Table("t", …)`, written
    /// in place or assigned to a name earlier.
    fn table_of(&self, node: Node) -> Option<String> {
        let value = match node.kind() {
            "identifier" => self.definition(python::text(node, self.src))?,
            _ => node,
        };
        let call = python::call(value, self.src)?;
        matches!(call.short_name(), "table" | "Table")
            .then(|| self.string(call.arg(0, "name")))
            .flatten()
    }

    /// `add_column(table, sa.Column(name, type, …))`.
    fn add_column(&self, a: &Args<'_, 't>, out: &mut Vec<Operation>) {
        let table = a.table(self, "table_name");
        let column_node = a.arg(1, "column");
        let Some(column) = column_node
            .and_then(|n| python::call(n, self.src))
            .filter(|c| c.short_name() == "Column")
        else {
            out.push(on(
                Operation::new(OpKind::AddColumn, Compat::Unknown)
                    .note("the column is not a literal sa.Column"),
                table,
                None,
            ));
            return;
        };
        let name = self.string(column.arg(0, "name"));
        let at = |o: Operation| on(o, table.clone(), name.clone());
        let flag = |k: &str| self.literal(column.keyword(k));
        let positional_kind = |kind: &str| {
            column
                .positional
                .iter()
                .filter_map(|n| python::call(*n, self.src))
                .any(|c| c.short_name() == kind)
        };
        if flag("primary_key") == Some(Literal::Bool(true)) {
            out.push(at(Operation::new(OpKind::AddPrimaryKey, Compat::Contract)
                .note("primary_key=True: a new primary key")));
            return;
        }
        let server_default = column
            .keyword("server_default")
            .is_some_and(|n| python::literal(n, self.src) != Some(Literal::None));
        let column_op = if positional_kind("Computed") {
            Operation::new(OpKind::AddColumn, Compat::Expand)
                .note("a generated column: the database computes it")
        } else if positional_kind("Identity") {
            Operation::new(OpKind::AddColumn, Compat::Expand)
                .note("an identity column: the database fills it")
        } else {
            match (column.keyword("nullable"), flag("nullable")) {
                // SQLAlchemy's default: nullable unless a primary key.
                (None, _) | (Some(_), Some(Literal::Bool(true))) => {
                    if column.splat {
                        Operation::new(OpKind::AddColumn, Compat::Unknown)
                            .note("the column's arguments are built by code")
                    } else {
                        Operation::new(OpKind::AddColumn, Compat::Expand)
                    }
                }
                (Some(_), Some(Literal::Bool(false))) if server_default => {
                    Operation::new(OpKind::AddColumn, Compat::Expand)
                        .note("NOT NULL with a database default (server_default=)")
                }
                (Some(_), Some(Literal::Bool(false))) => {
                    Operation::new(OpKind::AddColumn, Compat::Contract).note(
                        "nullable=False needs server_default: default= is applied by SQLAlchemy, not the database",
                    )
                }
                (Some(_), _) => Operation::new(OpKind::AddColumn, Compat::Unknown)
                    .note("nullable= is not a literal"),
            }
        };
        out.push(at(column_op));
        if flag("unique") == Some(Literal::Bool(true)) {
            out.push(at(Operation::new(OpKind::AddUnique, Compat::Contract)
                .note(format!("unique=True: {MAY_VIOLATE}"))));
        }
        if positional_kind("ForeignKey") {
            out.push(at(Operation::new(OpKind::AddForeignKey, Compat::Expand)
                .note("old writes must reference existing rows")));
        }
    }

    /// `alter_column(table, column, …)`: one operation per change it makes,
    /// in the order written.
    fn alter_column(&self, a: &Args<'_, 't>, out: &mut Vec<Operation>) {
        let table = a.table(self, "table_name");
        let column = self.string(a.arg(1, "column_name"));
        let at = |o: Operation| on(o, table.clone(), column.clone());
        let before = out.len();
        for (keyword, value) in &a.call.keywords {
            let value = python::literal(*value, self.src);
            let op = match (keyword.as_str(), value) {
                ("nullable", Some(Literal::Bool(false))) => {
                    Operation::new(OpKind::SetNotNull, Compat::Contract)
                }
                ("nullable", Some(Literal::Bool(true))) => {
                    Operation::new(OpKind::DropNotNull, Compat::Expand)
                }
                ("nullable", _) => Operation::new(OpKind::AlterColumn, Compat::Unknown)
                    .note("nullable= is not a literal"),
                ("type_", _) => Operation::new(OpKind::AlterColumnType, Compat::Contract),
                ("new_column_name", new) => {
                    let o = Operation::new(OpKind::RenameColumn, Compat::Contract);
                    match new.as_ref().and_then(Literal::as_str) {
                        Some(new) => o.note(format!("to {new}")),
                        None => o,
                    }
                }
                ("server_default", Some(Literal::None)) => {
                    Operation::new(OpKind::DropDefault, Compat::Contract)
                        .note("old writes that omit the column may fail")
                }
                // Alembic's own "leave the default alone".
                ("server_default", Some(Literal::Bool(false))) => continue,
                ("server_default", _) => Operation::new(OpKind::SetDefault, Compat::Expand),
                ("comment", _) => Operation::new(OpKind::Comment, Compat::Expand),
                _ => continue,
            };
            out.push(at(op));
        }
        if out.len() == before {
            out.push(at(Operation::new(OpKind::AlterColumn, Compat::Unknown)
                .note("alter_column: no change schemagate reads")));
        }
    }

    /// `op.execute(…)`: a literal SQL string (bare or in `sa.text(…)`) goes
    /// to the SQL reader; anything else is dynamic SQL.
    fn execute(&self, sql: Option<Node>, out: &mut Vec<Operation>) {
        let Some(sql) = sql else {
            out.push(
                Operation::new(OpKind::NotUnderstood, Compat::Unknown)
                    .note("op.execute without SQL"),
            );
            return;
        };
        let literal = match python::call(sql, self.src) {
            Some(text) if text.short_name() == "text" && text.name.is_some() => {
                self.string(text.arg(0, "text"))
            }
            Some(_) => None,
            None => self.string(Some(sql)),
        };
        match literal {
            Some(text) => out.extend(super::sql::read(&text)),
            None => out.push(code(format!(
                "dynamic SQL: {}",
                python::snippet(sql, self.src)
            ))),
        }
    }
}

/// A call's arguments as an `op` method takes them, in or out of a batch.
struct Args<'c, 't> {
    call: &'c Call<'t>,
    /// `Some` in a batch: the table of its `with` (`Some(None)` if that is
    /// not a literal).
    batch: Option<Option<String>>,
    /// Where the table argument sits in the `op` form.
    table_at: usize,
}

impl<'t> Args<'_, 't> {
    fn table(&self, reader: &Reader<'_, 't>, keyword: &str) -> Option<String> {
        match &self.batch {
            Some(table) => table.clone(),
            None => reader.string(self.call.arg(self.table_at, keyword)),
        }
    }

    /// The argument at `index` of the `op` form, or by keyword.
    fn arg(&self, index: usize, keyword: &str) -> Option<Node<'t>> {
        let index = match self.batch {
            Some(_) if index > self.table_at => index - 1,
            _ => index,
        };
        self.call.arg(index, keyword)
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

#[cfg(test)]
#[path = "alembic_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "alembic_props.rs"]
mod props;

#[cfg(test)]
#[path = "alembic_sql_tests.rs"]
mod sql_tests;
