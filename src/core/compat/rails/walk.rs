//! The walk through a migration class: which method runs, the statements
//! of its body, the blocks the DSL wraps (`reversible`, `change_table`,
//! `safety_assured`), schema-question guards, `execute`, and code.

use super::literal::{Args, Value};
use super::{MAX_DEPTH, Scope, Walker, not_understood, snippet, tree::superclass};
use crate::core::compat::{Compat, OpKind, Operation};
use tree_sitter::Node;

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

impl<'t> Walker<'t> {
    pub(super) fn class(&mut self, class: Node<'t>) {
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
            Some(Value::Str(sql)) => self.ops.extend(crate::core::compat::sql::read(sql)),
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
}
