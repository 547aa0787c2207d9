//! Rails migrations (`ActiveRecord::Migration` subclasses) read through
//! tree-sitter's Ruby grammar: the migration DSL calls of `change` (or `up`)
//! become operations, SQL given to `execute` goes to the SQL reader, and any
//! other Ruby is arbitrary code, so `unknown`.
//!
//! Only literal arguments are evaluated (symbols, strings, numbers, booleans,
//! `nil`, arrays, hashes, lambdas as database default expressions), plus the
//! names a class constant or a local variable binds to such a literal.

use super::{Compat, OpKind, Operation};
use std::collections::HashMap;
use tree_sitter::{Node, Parser};

/// How deep blocks, conditions and literals may nest before the reader stops
/// descending: a hostile text of thousands of nested blocks must not exhaust
/// the stack.
const MAX_DEPTH: usize = 48;

const NOTE_DB_DEFAULT: &str = "default: is a database default in Rails";
const NOTE_NOT_NULL: &str = "NOT NULL without a database default";
const NOTE_TIMESTAMPS: &str =
    "timestamps are NOT NULL by default since Rails 5, without a database default";
const NOTE_LOCK: &str = "locks writes while it builds";
const NOTE_FK: &str = "old writes must reference existing rows";
const NOTE_VIOLATE: &str = "old writes may violate it";
const NOTE_FILL: &str =
    "the 4th argument fills existing NULLs, but old writes may still leave it NULL";
const NOTE_OMIT: &str = "old writes that omit the column may fail";
const NOTE_OPAQUE: &str = "options are not literal";

/// The column types `t.<type> :name` adds in `change_table` (Rails' own and
/// the PostgreSQL and MySQL adapters').
const COLUMN_TYPES: &[&str] = &[
    "bigint",
    "bigserial",
    "binary",
    "bit",
    "bit_varying",
    "blob",
    "boolean",
    "box",
    "cidr",
    "circle",
    "citext",
    "date",
    "daterange",
    "datetime",
    "decimal",
    "enum",
    "float",
    "hstore",
    "inet",
    "int4range",
    "int8range",
    "integer",
    "interval",
    "json",
    "jsonb",
    "line",
    "longblob",
    "longtext",
    "lseg",
    "ltree",
    "macaddr",
    "mediumblob",
    "mediumtext",
    "money",
    "numeric",
    "numrange",
    "oid",
    "path",
    "point",
    "polygon",
    "serial",
    "string",
    "text",
    "time",
    "timestamp",
    "timestamptz",
    "tinyblob",
    "tinytext",
    "tsrange",
    "tstzrange",
    "tsvector",
    "unsigned_bigint",
    "unsigned_decimal",
    "unsigned_float",
    "unsigned_integer",
    "uuid",
    "virtual",
    "xml",
];

/// Schema questions an `if`/`unless` may ask around DSL calls
/// (`add_column … unless column_exists?(…)`): they read, never write, so the
/// guarded operations are classed as if they run.
const SCHEMA_PREDICATES: &[&str] = &[
    "check_constraint_exists?",
    "column_exists?",
    "data_source_exists?",
    "extension_enabled?",
    "foreign_key_exists?",
    "index_exists?",
    "index_name_exists?",
    "table_exists?",
    "view_exists?",
];

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

/// One `NotUnderstood` operation naming the first ERROR or MISSING node.
fn parse_error(root: Node, src: &str) -> Operation {
    let mut cursor = root.walk();
    let found = 'search: loop {
        let node = cursor.node();
        if node.is_error() || node.is_missing() {
            break Some(node);
        }
        // Only subtrees holding an error are worth descending into.
        if node.has_error() && cursor.goto_first_child() {
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                break 'search None;
            }
        }
    };
    match found {
        Some(node) if node.is_missing() => not_understood(format!(
            "parse error: missing `{}` at line {}",
            node.kind(),
            node.start_position().row + 1
        )),
        // An error running to the end of the text is something left open
        // (a block without `end`, a string without its quote).
        Some(node) if node.end_byte() >= src.trim_end().len() => not_understood(format!(
            "parse error at line {}: `{}` is not closed",
            node.start_position().row + 1,
            snippet(src, node)
        )),
        Some(node) => not_understood(format!(
            "parse error at line {}: unexpected `{}`",
            node.start_position().row + 1,
            snippet(src, node)
        )),
        None => not_understood("parse error"),
    }
}

/// The classes deriving from a `Migration` (`ActiveRecord::Migration[7.1]`,
/// `Gitlab::Database::Migration[2.2]`…), at the top level or in modules.
fn migration_classes<'t>(root: Node<'t>, src: &str) -> Vec<Node<'t>> {
    let mut classes = Vec::new();
    let mut containers = vec![root];
    while let Some(container) = containers.pop() {
        let mut cursor = container.walk();
        for child in container.named_children(&mut cursor) {
            match child.kind() {
                "class" if superclass(child, src).is_some() => classes.push(child),
                "module" => {
                    if let Some(body) = child.child_by_field_name("body") {
                        containers.push(body);
                    }
                }
                _ => {}
            }
        }
    }
    // The stack visits modules last-first; keep the file's order.
    classes.sort_by_key(|c| c.start_byte());
    classes
}

/// A migration superclass's name and version (`ActiveRecord::Migration`,
/// `Some(4)` for `[4.2]`); `None` for any other superclass.
fn superclass<'t>(class: Node, src: &'t str) -> Option<(&'t str, Option<u32>)> {
    let expr = class.child_by_field_name("superclass")?.named_child(0)?;
    let (name_node, version) = if expr.kind() == "element_reference" {
        let object = expr.child_by_field_name("object")?;
        let mut cursor = expr.walk();
        let version = expr
            .named_children(&mut cursor)
            .find(|c| c.id() != object.id())
            .and_then(|v| text_of(src, v).split('.').next()?.trim().parse().ok());
        (object, version)
    } else {
        (expr, None)
    };
    let name = text_of(src, name_node).trim_start_matches("::");
    let last = name.rsplit("::").next().unwrap_or(name);
    last.eq_ignore_ascii_case("migration")
        .then_some((name, version))
}

/// Pairs each heredoc's opening (`<<~SQL`) with its body, which tree-sitter
/// places after the statement: the bodies follow in the order the openings
/// appear.
fn heredocs(root: Node) -> HashMap<usize, Node> {
    let mut openings = Vec::new();
    let mut bodies = Vec::new();
    let mut cursor = root.walk();
    'walk: loop {
        let node = cursor.node();
        match node.kind() {
            "heredoc_beginning" => openings.push(node.start_byte()),
            "heredoc_body" => bodies.push(node),
            _ => {}
        }
        if node.kind() != "heredoc_body" && cursor.goto_first_child() {
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                break 'walk;
            }
        }
    }
    openings.into_iter().zip(bodies).collect()
}

/// A literal argument's value, or why it is not one.
#[derive(Debug, Clone, PartialEq)]
enum Value {
    Sym(String),
    Str(String),
    Bool(bool),
    Nil,
    Num(String),
    Array(Vec<Value>),
    Hash(Vec<(String, Value)>),
    /// `-> { "now()" }`: Rails passes the block's SQL to the database as
    /// the default expression.
    Lambda,
    /// A string with interpolation.
    Dynamic,
    /// Not a literal: a method call, a variable bound to no literal.
    Other,
}

impl Value {
    fn name(&self) -> Option<String> {
        match self {
            Value::Sym(s) | Value::Str(s) => Some(s.clone()),
            _ => None,
        }
    }

    fn is_literal(&self) -> bool {
        match self {
            Value::Dynamic | Value::Other => false,
            Value::Array(items) => items.iter().all(Value::is_literal),
            Value::Hash(pairs) => pairs.iter().all(|(_, v)| v.is_literal()),
            _ => true,
        }
    }

    /// Column names as written: one name, or an array's joined.
    fn names(&self) -> Option<String> {
        match self {
            Value::Array(items) => {
                let names: Option<Vec<String>> = items.iter().map(Value::name).collect();
                names.filter(|n| !n.is_empty()).map(|n| n.join(", "))
            }
            other => other.name(),
        }
    }
}

fn lookup<'v>(opts: &'v [(String, Value)], key: &str) -> Option<&'v Value> {
    opts.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v)
}

/// A call's arguments: positional values, keyword options, and whether a
/// splat or a computed key hides some of them.
#[derive(Debug, Default, Clone)]
struct Args {
    pos: Vec<Value>,
    opts: Vec<(String, Value)>,
    opaque: bool,
}

impl Args {
    fn opt(&self, key: &str) -> Option<&Value> {
        lookup(&self.opts, key)
    }

    fn name(&self, index: usize) -> Option<String> {
        self.pos.get(index).and_then(Value::name)
    }

    /// The same call with the table first: `t.remove :a` inside
    /// `change_table :users` is `remove_columns :users, :a`.
    fn with_table(&self, table: &Option<String>) -> Args {
        let mut args = self.clone();
        let first = table.clone().map_or(Value::Other, Value::Sym);
        args.pos.insert(0, first);
        args
    }

    /// The arguments for the `index`-th name of a call naming several
    /// (`t.string :a, :b`), the table kept first.
    fn single(&self, index: usize) -> Args {
        Args {
            pos: [self.pos.first(), self.pos.get(index)]
                .into_iter()
                .flatten()
                .cloned()
                .collect(),
            opts: self.opts.clone(),
            opaque: self.opaque,
        }
    }
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

    fn class(&mut self, class: Node<'t>) {
        if let Some((name, version)) = superclass(class, self.src) {
            self.legacy = name == "ActiveRecord::Migration" && version.is_none_or(|v| v < 5);
        }
        let mut change = None;
        let mut up = None;
        if let Some(body) = class.child_by_field_name("body") {
            let mut cursor = body.walk();
            for child in body.named_children(&mut cursor) {
                match child.kind() {
                    "assignment" => self.bind(child),
                    "method" | "singleton_method" => {
                        if child.kind() == "singleton_method"
                            && child.child_by_field_name("object").map(|o| o.kind()) != Some("self")
                        {
                            continue;
                        }
                        match child.child_by_field_name("name").map(|n| self.text(n)) {
                            Some("change") => change = Some(child),
                            Some("up") => up = Some(child),
                            _ => {}
                        }
                    }
                    // `disable_ddl_transaction!`, `milestone '16.7'`, inner
                    // model classes: settings and definitions, no schema change.
                    _ => {}
                }
            }
        }
        // Rails runs `change` when it is defined, else `up`; `down` never
        // runs on the way forward.
        let Some(method) = change.or(up) else {
            self.ops.push(not_understood(
                "the migration class has no change or up method",
            ));
            return;
        };
        match method.child_by_field_name("body") {
            Some(body) if body.kind() == "body_statement" => {
                self.statements(body, &Scope::default(), 0)
            }
            Some(expr) => self.statement(expr, &Scope::default(), 0),
            None => {}
        }
    }

    /// Records `NAME = literal` or `name = literal`; any other assignment
    /// is code.
    fn bind(&mut self, node: Node<'t>) {
        let left = node.child_by_field_name("left");
        let right = node.child_by_field_name("right");
        if let (Some(left), Some(right)) = (left, right)
            && matches!(left.kind(), "constant" | "identifier")
        {
            let value = self.value(right, 0);
            if value.is_literal() {
                self.env.insert(self.text(left).to_string(), value);
                return;
            }
        }
        self.code(node);
    }

    fn statements(&mut self, body: Node<'t>, scope: &Scope, depth: usize) {
        if depth > MAX_DEPTH {
            self.ops
                .push(not_understood("blocks nested too deeply to read"));
            return;
        }
        let mut cursor = body.walk();
        let children: Vec<Node<'t>> = body.named_children(&mut cursor).collect();
        for stmt in children {
            match stmt.kind() {
                "comment" | "heredoc_body" | "empty_statement" => {}
                _ => self.statement(stmt, scope, depth),
            }
        }
    }

    fn statement(&mut self, node: Node<'t>, scope: &Scope, depth: usize) {
        match node.kind() {
            "call" => self.call(node, scope, depth),
            "identifier" => {
                let name = self.text(node);
                // A variable alone does nothing; anything else is a call.
                if !self.env.contains_key(name) {
                    self.dsl(name, node, &Args::default(), None, scope, depth);
                }
            }
            "if_modifier" | "unless_modifier" => {
                let guarded = node
                    .child_by_field_name("condition")
                    .is_some_and(|c| self.guard(c, 0));
                match node.child_by_field_name("body") {
                    Some(body) if guarded => self.statement(body, scope, depth + 1),
                    _ => self.code(node),
                }
            }
            "if" | "unless" if self.guarded_chain(node, 0) => self.branches(node, scope, depth),
            "assignment" => self.bind(node),
            // Leaving early writes nothing; what follows is classed anyway.
            "return" if node.named_child_count() == 0 => {}
            _ => self.code(node),
        }
    }

    /// Whether every condition of an `if`/`elsif` chain is a schema question.
    fn guarded_chain(&self, node: Node, depth: usize) -> bool {
        if depth > MAX_DEPTH {
            return false;
        }
        let condition = node
            .child_by_field_name("condition")
            .is_some_and(|c| self.guard(c, 0));
        condition
            && match node.child_by_field_name("alternative") {
                Some(alt) if alt.kind() == "elsif" => self.guarded_chain(alt, depth + 1),
                _ => true,
            }
    }

    /// Walks every branch of a guarded `if`: either may run.
    fn branches(&mut self, node: Node<'t>, scope: &Scope, depth: usize) {
        let mut next = Some(node);
        while let Some(branch) = next {
            next = None;
            if let Some(then) = branch.child_by_field_name("consequence") {
                self.statements(then, scope, depth + 1);
            }
            match branch.child_by_field_name("alternative") {
                Some(alt) if alt.kind() == "elsif" => next = Some(alt),
                Some(alt) => self.statements(alt, scope, depth + 1),
                None => {}
            }
        }
    }

    fn guard(&self, node: Node, depth: usize) -> bool {
        if depth > MAX_DEPTH {
            return false;
        }
        match node.kind() {
            "call" => {
                let receiver_ok = match node.child_by_field_name("receiver") {
                    None => true,
                    Some(r) => matches!(self.text(r), "self" | "connection"),
                };
                let method = node.child_by_field_name("method").map(|m| self.text(m));
                receiver_ok
                    && node.child_by_field_name("block").is_none()
                    && method.is_some_and(|m| SCHEMA_PREDICATES.contains(&m))
            }
            "unary" => {
                let operator = node.child_by_field_name("operator").map(|o| self.text(o));
                matches!(operator, Some("!" | "not"))
                    && node
                        .child_by_field_name("operand")
                        .is_some_and(|o| self.guard(o, depth + 1))
            }
            "binary" => {
                let operator = node.child_by_field_name("operator").map(|o| self.text(o));
                matches!(operator, Some("&&" | "||" | "and" | "or"))
                    && node
                        .child_by_field_name("left")
                        .is_some_and(|l| self.guard(l, depth + 1))
                    && node
                        .child_by_field_name("right")
                        .is_some_and(|r| self.guard(r, depth + 1))
            }
            "parenthesized_statements" => {
                node.named_child_count() == 1
                    && node
                        .named_child(0)
                        .is_some_and(|c| self.guard(c, depth + 1))
            }
            _ => false,
        }
    }

    fn call(&mut self, node: Node<'t>, scope: &Scope, depth: usize) {
        let Some(method) = node.child_by_field_name("method") else {
            return self.code(node);
        };
        let name = self.text(method);
        let args = self.args(node.child_by_field_name("arguments"));
        let block = node.child_by_field_name("block");
        let Some(receiver) = node.child_by_field_name("receiver") else {
            return self.dsl(name, node, &args, block, scope, depth);
        };
        let receiver_text = self.text(receiver);
        if receiver.kind() == "self" {
            self.dsl(name, node, &args, block, scope, depth);
        } else if receiver.kind() == "identifier"
            && scope.table_var.as_deref() == Some(receiver_text)
        {
            self.table_method(name, node, &args, scope);
        } else if receiver.kind() == "identifier" && scope.dir_var.as_deref() == Some(receiver_text)
        {
            match (name, block) {
                ("up", Some(block)) => self.block(block, scope.clone(), depth),
                ("down", _) => {}
                _ => self.code(node),
            }
        } else if name == "execute"
            && (receiver_text == "connection" || receiver_text.ends_with(".connection"))
        {
            self.execute(node, &args);
        } else {
            self.code(node);
        }
    }

    /// Walks a block's statements in `scope`.
    fn block(&mut self, block: Node<'t>, scope: Scope, depth: usize) {
        if let Some(body) = block.child_by_field_name("body") {
            self.statements(body, &scope, depth + 1);
        }
    }

    fn block_param(&self, block: Node) -> Option<String> {
        let params = block.child_by_field_name("parameters")?;
        let mut cursor = params.walk();
        let first = params
            .named_children(&mut cursor)
            .find(|p| p.kind() == "identifier")?;
        Some(self.text(first).to_string())
    }

    fn execute(&mut self, node: Node, args: &Args) {
        match args.pos.first() {
            Some(Value::Str(sql)) => self.ops.extend(super::sql::read(sql)),
            _ => {
                let note = format!("dynamic SQL: {}", snippet(self.src, node));
                self.ops
                    .push(Operation::new(OpKind::RunCode, Compat::Unknown).note(note));
            }
        }
    }

    /// A migration-level call: the DSL, the blocks that wrap it, or code.
    fn dsl(
        &mut self,
        name: &str,
        node: Node<'t>,
        args: &Args,
        block: Option<Node<'t>>,
        scope: &Scope,
        depth: usize,
    ) {
        match name {
            "say" | "disable_ddl_transaction!" => {}
            // GitLab's `with_lock_retries` runs its block's DDL, retrying
            // on lock timeouts: what it runs is what the block says.
            "safety_assured" | "up_only" | "with_lock_retries" => {
                if let Some(block) = block {
                    self.block(block, scope.clone(), depth);
                }
            }
            "reversible" => {
                if let Some(block) = block {
                    let mut inner = scope.clone();
                    inner.dir_var = self.block_param(block);
                    self.block(block, inner, depth);
                }
            }
            "change_table" => {
                if let Some(block) = block {
                    let mut inner = scope.clone();
                    inner.table = args.name(0);
                    inner.table_var = self.block_param(block);
                    self.block(block, inner, depth);
                }
            }
            "execute" => self.execute(node, args),
            _ => {
                let ops = self.schema_op(name, args);
                if ops.is_empty() {
                    self.code(node);
                } else {
                    self.ops.extend(ops);
                }
            }
        }
    }

    /// `t.<method>` inside `change_table`: the migration-level method it
    /// stands for, the block's table first.
    fn table_method(&mut self, name: &str, node: Node, args: &Args, scope: &Scope) {
        let args = args.with_table(&scope.table);
        let per_name = |method: &str, walker: &Walker| -> Vec<Operation> {
            (1..args.pos.len())
                .flat_map(|i| walker.schema_op(method, &args.single(i)))
                .collect()
        };
        let ops = match name {
            "column" => self.schema_op("add_column", &args),
            "references" | "belongs_to" => per_name("add_reference", self),
            "remove_references" | "remove_belongs_to" => per_name("remove_reference", self),
            "remove" => self.schema_op("remove_columns", &args),
            "rename" => self.schema_op("rename_column", &args),
            "change" => self.schema_op("change_column", &args),
            "index" => self.schema_op("add_index", &args),
            "remove_index"
            | "rename_index"
            | "remove_timestamps"
            | "remove_foreign_key"
            | "remove_check_constraint" => self.schema_op(name, &args),
            "timestamps" => self.schema_op("add_timestamps", &args),
            "change_default" => self.schema_op("change_column_default", &args),
            "change_null" => self.schema_op("change_column_null", &args),
            "foreign_key" => self.schema_op("add_foreign_key", &args),
            "check_constraint" => self.schema_op("add_check_constraint", &args),
            "primary_key" => {
                let mut args = args.clone();
                args.pos.truncate(2);
                args.pos.push(Value::Sym("primary_key".into()));
                self.schema_op("add_column", &args)
            }
            column_type if COLUMN_TYPES.contains(&column_type) => (1..args.pos.len())
                .map(|i| {
                    let mut one = args.single(i);
                    one.pos.push(Value::Sym(column_type.to_string()));
                    self.new_column(&one)
                })
                .collect(),
            _ => Vec::new(),
        };
        if ops.is_empty() {
            self.code(node);
        } else {
            self.ops.extend(ops);
        }
    }

    /// The operations of one schema DSL call; empty for a method that is
    /// not part of the DSL (the caller classes it as code).
    fn schema_op(&self, name: &str, args: &Args) -> Vec<Operation> {
        use Compat::{Contract, Expand, Unknown};
        let table = args.name(0);
        let at = |kind, compat| op(kind, compat, table.clone(), None);
        let on = |kind, compat, index: usize| op(kind, compat, table.clone(), args.name(index));
        let named_from = |start: usize, kind, compat| -> Vec<Operation> {
            let ops: Vec<Operation> = args
                .pos
                .iter()
                .skip(start)
                .filter_map(Value::name)
                .map(|n| op(kind, compat, table.clone(), Some(n)))
                .collect();
            if ops.is_empty() {
                vec![at(kind, compat)]
            } else {
                ops
            }
        };
        match name {
            "create_table" => vec![create_table(table, args)],
            "create_join_table" => {
                let name = args
                    .opt("table_name")
                    .and_then(Value::name)
                    .or_else(|| join_table_name(args.name(0)?, args.name(1)?));
                vec![op(OpKind::CreateTable, Expand, name, None)]
            }
            "drop_table" => named_from(0, OpKind::DropTable, Contract)
                .into_iter()
                .map(|mut o| {
                    o.table = o.column.take().or(o.table);
                    o
                })
                .collect(),
            "drop_join_table" => {
                let name = args
                    .opt("table_name")
                    .and_then(Value::name)
                    .or_else(|| join_table_name(args.name(0)?, args.name(1)?));
                vec![op(OpKind::DropTable, Contract, name, None)]
            }
            "rename_table" => vec![at(OpKind::RenameTable, Contract)],
            "add_column" => vec![self.new_column(args)],
            "add_reference" | "add_belongs_to" => self.reference(args),
            "remove_reference" | "remove_belongs_to" => {
                let Some(name) = args.name(1) else {
                    return vec![at(OpKind::DropColumn, Contract)];
                };
                let mut ops = vec![op(
                    OpKind::DropColumn,
                    Contract,
                    table.clone(),
                    Some(format!("{name}_id")),
                )];
                if polymorphic(args) {
                    ops.push(op(
                        OpKind::DropColumn,
                        Contract,
                        table.clone(),
                        Some(format!("{name}_type")),
                    ));
                }
                ops
            }
            "add_timestamps" => self.timestamps(args),
            "remove_timestamps" => ["created_at", "updated_at"]
                .into_iter()
                .map(|c| op(OpKind::DropColumn, Contract, table.clone(), Some(c.into())))
                .collect(),
            "remove_column" => vec![on(OpKind::DropColumn, Contract, 1)],
            "remove_columns" => named_from(1, OpKind::DropColumn, Contract),
            "rename_column" => vec![on(OpKind::RenameColumn, Contract, 1)],
            "change_column" => vec![on(OpKind::AlterColumnType, Contract, 1)],
            "change_column_null" => vec![change_null(
                on(OpKind::SetNotNull, Contract, 1),
                args.pos.get(2),
                args.pos.len() > 3,
            )],
            "change_column_default" => vec![change_default(
                on(OpKind::SetDefault, Expand, 1),
                args.pos.get(2),
                &args.opts,
            )],
            "change_column_comment" => vec![on(OpKind::Comment, Expand, 1)],
            "change_table_comment" => vec![at(OpKind::Comment, Expand)],
            "add_index" => {
                let column = args.pos.get(1).and_then(Value::names);
                vec![index(table, column, &args.opts, args.opaque)]
            }
            "remove_index" => {
                let column = args
                    .pos
                    .get(1)
                    .or_else(|| args.opt("column"))
                    .and_then(Value::names);
                vec![op(OpKind::DropIndex, Expand, table, column)]
            }
            "rename_index" => vec![at(OpKind::RenameIndex, Expand)],
            "add_foreign_key" => {
                let column = args.opt("column").and_then(Value::names);
                vec![op(OpKind::AddForeignKey, Expand, table, column).note(NOTE_FK)]
            }
            "remove_foreign_key" | "remove_check_constraint" => {
                vec![at(OpKind::DropConstraint, Expand)]
            }
            "add_check_constraint" => vec![at(OpKind::AddCheck, Contract).note(NOTE_VIOLATE)],
            "enable_extension" => vec![at(OpKind::CreateExtension, Expand)],
            "disable_extension" => vec![at(OpKind::DropExtension, Contract)],
            "create_enum" => vec![at(OpKind::CreateType, Expand)],
            "add_enum_value" => vec![at(OpKind::AlterType, Expand)],
            "rename_enum_value" => {
                vec![at(OpKind::AlterType, Contract).note("old code may write the old value")]
            }
            "rename_enum" => {
                vec![at(OpKind::AlterType, Contract).note("old code may name the old type")]
            }
            "drop_enum" => vec![at(OpKind::DropType, Contract)],
            // The scenic gem's views.
            "create_view" => vec![at(OpKind::CreateView, Expand)],
            "update_view" | "replace_view" => {
                vec![at(OpKind::ReplaceView, Unknown).note("old code may read different columns")]
            }
            "drop_view" => vec![at(OpKind::DropView, Contract)],
            _ => Vec::new(),
        }
    }

    /// `add_column`'s rule: nullable, or NOT NULL with a database default,
    /// is expand; NOT NULL alone is contract.
    fn new_column(&self, args: &Args) -> Operation {
        let table = args.name(0);
        let column = args.name(1);
        if args.pos.get(2) == Some(&Value::Sym("primary_key".into())) {
            return op(OpKind::AddPrimaryKey, Compat::Contract, table, column);
        }
        let base = op(OpKind::AddColumn, Compat::Expand, table, column);
        not_null_rule(base, args, None)
    }

    /// `add_reference`: the `<name>_id` column (and `<name>_type` when
    /// polymorphic), its index (on by default since Rails 5) and its
    /// foreign key.
    fn reference(&self, args: &Args) -> Vec<Operation> {
        let table = args.name(0);
        let name = args.name(1);
        let id = name.as_ref().map(|n| format!("{n}_id"));
        let column = |c: Option<String>| op(OpKind::AddColumn, Compat::Expand, table.clone(), c);
        let mut ops = vec![not_null_rule(column(id.clone()), args, None)];
        if args.opaque {
            return ops;
        }
        let poly = polymorphic(args);
        if poly {
            let kind = name.as_ref().map(|n| format!("{n}_type"));
            ops.push(not_null_rule(column(kind), args, None));
        }
        let indexed = match (&name, poly) {
            (Some(n), true) => Some(format!("{n}_type, {n}_id")),
            _ => id.clone(),
        };
        match args.opt("index") {
            None if self.legacy => {}
            None | Some(Value::Bool(true)) => ops.push(index(table.clone(), indexed, &[], false)),
            Some(Value::Bool(false) | Value::Nil) => {}
            Some(Value::Hash(opts)) => ops.push(index(table.clone(), indexed, opts, false)),
            Some(_) => ops.push(
                op(OpKind::CreateIndex, Compat::Unknown, table.clone(), indexed)
                    .note("index: is not a literal"),
            ),
        }
        match args.opt("foreign_key") {
            None | Some(Value::Bool(false) | Value::Nil) => {}
            Some(Value::Bool(true) | Value::Hash(_)) => {
                ops.push(op(OpKind::AddForeignKey, Compat::Expand, table, id).note(NOTE_FK))
            }
            Some(_) => ops.push(
                op(OpKind::AddForeignKey, Compat::Unknown, table, id)
                    .note("foreign_key: is not a literal"),
            ),
        }
        ops
    }

    /// `add_timestamps`: NOT NULL unless `null: true` since Rails 5, and
    /// without a database default unless one is given.
    fn timestamps(&self, args: &Args) -> Vec<Operation> {
        let table = args.name(0);
        // Rails treats `null: nil` as not given.
        let implicit = matches!(args.opt("null"), None | Some(Value::Nil));
        ["created_at", "updated_at"]
            .into_iter()
            .map(|c| {
                let base = op(
                    OpKind::AddColumn,
                    Compat::Expand,
                    table.clone(),
                    Some(c.into()),
                );
                if implicit && self.legacy {
                    base
                } else if implicit {
                    not_null_rule(base, args, Some(NOTE_TIMESTAMPS))
                } else {
                    not_null_rule(base, args, None)
                }
            })
            .collect()
    }

    /// The arguments of a call: literals evaluated, options collected.
    fn args(&self, list: Option<Node<'t>>) -> Args {
        let mut args = Args::default();
        let Some(list) = list else { return args };
        let mut cursor = list.walk();
        for child in list.named_children(&mut cursor) {
            match child.kind() {
                "comment" | "block_argument" => {}
                "pair" => match self.pair(child, 0) {
                    Some(pair) => args.opts.push(pair),
                    None => args.opaque = true,
                },
                "splat_argument" | "hash_splat_argument" | "forward_argument" => args.opaque = true,
                _ => args.pos.push(self.value(child, 0)),
            }
        }
        // `add_column :t, :c, :integer, { null: false }`: a final hash is
        // the options.
        if args.opts.is_empty()
            && let Some(Value::Hash(opts)) = args.pos.last()
        {
            args.opts = opts.clone();
            args.pos.pop();
        }
        args
    }

    fn pair(&self, pair: Node<'t>, depth: usize) -> Option<(String, Value)> {
        let key = pair.child_by_field_name("key")?;
        let key = match key.kind() {
            "hash_key_symbol" => self.text(key).to_string(),
            _ => self.value(key, depth + 1).name()?,
        };
        let value = pair
            .child_by_field_name("value")
            .map_or(Value::Other, |v| self.value(v, depth + 1));
        Some((key, value))
    }

    fn value(&self, node: Node<'t>, depth: usize) -> Value {
        if depth > MAX_DEPTH {
            return Value::Other;
        }
        let text = self.text(node);
        match node.kind() {
            "simple_symbol" => Value::Sym(text.trim_start_matches(':').to_string()),
            "hash_key_symbol" => Value::Sym(text.to_string()),
            "delimited_symbol" | "bare_symbol" => match self.string(node) {
                Value::Str(s) => Value::Sym(s),
                other => other,
            },
            "string" | "bare_string" => self.string(node),
            "chained_string" => {
                let mut joined = String::new();
                let mut cursor = node.walk();
                for part in node.named_children(&mut cursor) {
                    match self.string(part) {
                        Value::Str(s) => joined.push_str(&s),
                        other => return other,
                    }
                }
                Value::Str(joined)
            }
            "heredoc_beginning" => self.heredoc(node),
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            "nil" => Value::Nil,
            "integer" | "float" | "rational" | "complex" => Value::Num(text.to_string()),
            "unary" => {
                let numeric = node.child_by_field_name("operand").is_some_and(|o| {
                    matches!(o.kind(), "integer" | "float" | "rational" | "complex")
                });
                let sign = node.child_by_field_name("operator").map(|o| self.text(o));
                if numeric && matches!(sign, Some("-" | "+")) {
                    Value::Num(text.to_string())
                } else {
                    Value::Other
                }
            }
            "array" | "string_array" | "symbol_array" => {
                let mut cursor = node.walk();
                let items = node
                    .named_children(&mut cursor)
                    .filter(|c| c.kind() != "comment")
                    .map(|c| match c.kind() {
                        "splat_argument" | "pair" => Value::Other,
                        _ => self.value(c, depth + 1),
                    })
                    .collect();
                Value::Array(items)
            }
            "hash" => {
                let mut pairs = Vec::new();
                let mut cursor = node.walk();
                for child in node.named_children(&mut cursor) {
                    match child.kind() {
                        "comment" => {}
                        "pair" => match self.pair(child, depth) {
                            Some(pair) => pairs.push(pair),
                            None => return Value::Other,
                        },
                        _ => return Value::Other,
                    }
                }
                Value::Hash(pairs)
            }
            "lambda" => Value::Lambda,
            "constant" | "identifier" => self.env.get(text).cloned().unwrap_or(Value::Other),
            "parenthesized_statements" if node.named_child_count() == 1 => node
                .named_child(0)
                .map_or(Value::Other, |c| self.value(c, depth + 1)),
            // `<<~SQL.squish`, `'name'.freeze`: the literal itself.
            "call" => {
                let method = node.child_by_field_name("method").map(|m| self.text(m));
                let plain = node.child_by_field_name("arguments").is_none()
                    && node.child_by_field_name("block").is_none();
                let receiver = node.child_by_field_name("receiver");
                match (receiver, method) {
                    (Some(r), Some(m)) if plain && PASSTHROUGH.contains(&m) => {
                        match (self.value(r, depth + 1), m) {
                            (Value::Sym(s), "to_s") => Value::Str(s),
                            (Value::Str(s), "to_sym") => Value::Sym(s),
                            (v, _) => v,
                        }
                    }
                    _ => Value::Other,
                }
            }
            _ => Value::Other,
        }
    }

    /// A string's content, its escapes decoded; `Dynamic` when it
    /// interpolates.
    fn string(&self, node: Node) -> Value {
        let opening = node
            .child(0)
            .filter(|c| !c.is_named())
            .map(|c| self.text(c));
        let single = opening.is_some_and(|o| o.starts_with('\'') || o.starts_with("%q"));
        let mut content = String::new();
        let mut cursor = node.walk();
        for part in node.named_children(&mut cursor) {
            match part.kind() {
                "string_content" if single => content.push_str(
                    &self
                        .text(part)
                        .replace("\\\\", "\u{0}")
                        .replace("\\'", "'")
                        .replace('\u{0}', "\\"),
                ),
                "string_content" => content.push_str(self.text(part)),
                "escape_sequence" => content.push_str(&unescape(self.text(part))),
                "interpolation" => return Value::Dynamic,
                _ => return Value::Other,
            }
        }
        Value::Str(content)
    }

    /// A heredoc's text: raw for `<<~'SQL'`, escapes decoded otherwise,
    /// `Dynamic` when it interpolates.
    fn heredoc(&self, opening: Node) -> Value {
        let open = self.text(opening);
        if open.contains('`') {
            return Value::Other;
        }
        let raw = open.contains('\'');
        let Some(body) = self.heredocs.get(&opening.start_byte()) else {
            return Value::Other;
        };
        let mut content = String::new();
        let mut at = body.start_byte();
        let mut cursor = body.walk();
        for part in body.children(&mut cursor) {
            content.push_str(self.src.get(at..part.start_byte()).unwrap_or(""));
            at = part.end_byte();
            match part.kind() {
                "heredoc_end" => break,
                "interpolation" if !raw => return Value::Dynamic,
                "escape_sequence" if !raw => content.push_str(&unescape(self.text(part))),
                _ => content.push_str(self.text(part)),
            }
        }
        Value::Str(content)
    }
}

/// Methods that leave a literal a literal.
const PASSTHROUGH: &[&str] = &[
    "chomp",
    "dup",
    "freeze",
    "squish",
    "squish!",
    "strip",
    "strip_heredoc",
    "to_s",
    "to_sym",
];

/// A double-quoted string's escape sequence as the character it stands for.
fn unescape(escape: &str) -> String {
    let body = escape.strip_prefix('\\').unwrap_or(escape);
    let mut chars = body.chars();
    let Some(first) = chars.next() else {
        return String::new();
    };
    let rest: String = chars.collect();
    let simple = match first {
        'n' => Some('\n'),
        't' => Some('\t'),
        'r' => Some('\r'),
        '0' if rest.is_empty() => Some('\0'),
        's' => Some(' '),
        'e' => Some('\u{1b}'),
        'a' => Some('\u{7}'),
        'b' => Some('\u{8}'),
        'f' => Some('\u{c}'),
        'v' => Some('\u{b}'),
        _ => None,
    };
    if let Some(c) = simple {
        return c.to_string();
    }
    let hex = match first {
        'u' => Some(rest.trim_start_matches('{').trim_end_matches('}')),
        'x' => Some(rest.as_str()),
        _ => None,
    };
    if let Some(hex) = hex {
        // `\u{41 42}` names several characters.
        let decoded: Option<String> = hex
            .split_whitespace()
            .map(|h| u32::from_str_radix(h, 16).ok().and_then(char::from_u32))
            .collect();
        return decoded.unwrap_or_else(|| escape.to_string());
    }
    body.to_string()
}

fn polymorphic(args: &Args) -> bool {
    matches!(
        args.opt("polymorphic"),
        Some(Value::Bool(true) | Value::Hash(_))
    )
}

/// Rails' join table name: both names sorted, a shared `prefix_` said once
/// (`music_artists` and `music_records` join in `music_artists_records`).
fn join_table_name(a: String, b: String) -> Option<String> {
    let (first, second) = if a <= b { (a, b) } else { (b, a) };
    let prefix_len = first
        .char_indices()
        .filter(|&(i, c)| c == '_' && second.get(..=i) == first.get(..=i))
        .map(|(i, _)| i + 1)
        .rfind(|&len| len < first.len() && len < second.len())
        .unwrap_or(0);
    let prefix = first.get(..prefix_len)?;
    let rest_first = first.get(prefix_len..)?;
    let rest_second = second.get(prefix_len..)?;
    Some(format!("{prefix}{rest_first}_{rest_second}"))
}

fn create_table(table: Option<String>, args: &Args) -> Operation {
    let base = op(OpKind::CreateTable, Compat::Expand, table, None);
    match args.opt("force") {
        None | Some(Value::Bool(false) | Value::Nil) => base,
        Some(v) if v.is_literal() => Operation {
            compat: Compat::Contract,
            ..base
        }
        .note("force: drops the table first if it exists"),
        Some(_) => Operation {
            compat: Compat::Unknown,
            ..base
        }
        .note("force: is not a literal"),
    }
}

/// Classes a new column by `null:` and `default:`; `implicit_not_null` is
/// the note when NOT NULL comes from Rails' defaults, not the text.
fn not_null_rule(base: Operation, args: &Args, implicit_not_null: Option<&str>) -> Operation {
    let with = |compat, note: &str| {
        Operation {
            compat,
            ..base.clone()
        }
        .note(note)
    };
    if args.opaque {
        return with(Compat::Unknown, NOTE_OPAQUE);
    }
    let not_null = match args.opt("null") {
        Some(Value::Bool(false)) => NOTE_NOT_NULL,
        None | Some(Value::Nil) => match implicit_not_null {
            Some(note) => note,
            None => return base,
        },
        Some(Value::Bool(true)) => return base,
        Some(_) => return with(Compat::Unknown, "null: is not a literal"),
    };
    match args.opt("default") {
        None | Some(Value::Nil) => with(Compat::Contract, not_null),
        Some(v) if v.is_literal() => with(Compat::Expand, NOTE_DB_DEFAULT),
        Some(_) => with(Compat::Unknown, "default: is not a literal"),
    }
}

/// An index: unique is contract, any other expand, noting the write lock
/// unless built concurrently.
fn index(
    table: Option<String>,
    column: Option<String>,
    opts: &[(String, Value)],
    opaque: bool,
) -> Operation {
    if opaque {
        return op(OpKind::CreateIndex, Compat::Unknown, table, column).note(NOTE_OPAQUE);
    }
    match lookup(opts, "unique") {
        None | Some(Value::Bool(false) | Value::Nil) => {}
        Some(Value::Bool(true)) => {
            return op(OpKind::AddUnique, Compat::Contract, table, column).note(NOTE_VIOLATE);
        }
        Some(_) => {
            return op(OpKind::CreateIndex, Compat::Unknown, table, column)
                .note("unique: is not a literal");
        }
    }
    let concurrently = lookup(opts, "algorithm")
        .and_then(Value::name)
        .is_some_and(|a| a == "concurrently");
    let created = op(OpKind::CreateIndex, Compat::Expand, table, column);
    if concurrently {
        created
    } else {
        created.note(NOTE_LOCK)
    }
}

/// `change_column_null`'s flag: `true` drops NOT NULL, `false` (or `nil`)
/// sets it.
fn change_null(set: Operation, flag: Option<&Value>, fills: bool) -> Operation {
    match flag {
        Some(Value::Bool(true)) => Operation {
            op: OpKind::DropNotNull,
            compat: Compat::Expand,
            ..set
        },
        Some(Value::Bool(false) | Value::Nil) if fills => set.note(NOTE_FILL),
        Some(Value::Bool(false) | Value::Nil) => set,
        _ => Operation {
            compat: Compat::Unknown,
            ..set
        }
        .note("the null argument is not a literal"),
    }
}

/// `change_column_default`'s new default: the value, or `to:` of
/// `from: …, to: …`; `nil` drops the default.
fn change_default(set: Operation, value: Option<&Value>, opts: &[(String, Value)]) -> Operation {
    let from_to =
        |pairs: &[(String, Value)]| lookup(pairs, "from").and(lookup(pairs, "to")).cloned();
    let new = if let Some(to) = from_to(opts) {
        Some(to)
    } else {
        match value {
            Some(Value::Hash(pairs)) => from_to(pairs).or_else(|| value.cloned()),
            Some(v) => Some(v.clone()),
            // A hash default without `from:`/`to:` (a JSON default).
            None if !opts.is_empty() => Some(Value::Hash(opts.to_vec())),
            None => None,
        }
    };
    match new {
        Some(Value::Nil) => Operation {
            op: OpKind::DropDefault,
            compat: Compat::Contract,
            ..set
        }
        .note(NOTE_OMIT),
        Some(v) if v.is_literal() => set,
        Some(_) => Operation {
            compat: Compat::Unknown,
            ..set
        }
        .note("the new default is not a literal"),
        None => Operation {
            compat: Compat::Unknown,
            ..set
        }
        .note("no new default given"),
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
