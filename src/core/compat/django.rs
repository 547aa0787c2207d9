//! Django migrations: the `operations` list of a `Migration` class, each
//! operation classed by what it does to the database the previous release
//! still runs against.
//!
//! Tables are model names lowercased as Django does (`testjob`), columns
//! field names. Only literal arguments are read; what an operation does
//! beyond its text (`AlterField`'s previous definition, a `RunPython`
//! function) stays `unknown`.

use super::python::{self, Call, Imports, Literal};
use super::{Compat, OpKind, Operation};
use tree_sitter::Node;

/// How deep `SeparateDatabaseAndState` may nest in itself: bounds the
/// recursion whatever the text.
const MAX_NESTING: usize = 16;

const LOCKS_WRITES: &str = "locks writes while it builds";
const MAY_VIOLATE: &str = "old writes may violate it";

pub(crate) fn read(text: &str) -> Vec<Operation> {
    let tree = match python::parse(text) {
        Ok(tree) => tree,
        Err(failed) => return vec![failed],
    };
    let root = tree.root_node();
    let reader = Reader {
        src: text,
        imports: Imports::of(root, text),
    };
    let Some(list) = operations_value(root, text) else {
        return vec![
            Operation::new(OpKind::NotUnderstood, Compat::Unknown).note("no operations list"),
        ];
    };
    let mut out = Vec::new();
    reader.list(list, &mut out, 0);
    out
}

/// The value assigned to `operations` in the `Migration` class (the last
/// assignment, as Python keeps it).
fn operations_value<'t>(root: Node<'t>, src: &str) -> Option<Node<'t>> {
    let classes: Vec<Node> = python::statements(root)
        .into_iter()
        .filter_map(|s| match s.kind() {
            "class_definition" => Some(s),
            "decorated_definition" => s
                .child_by_field_name("definition")
                .filter(|d| d.kind() == "class_definition"),
            _ => None,
        })
        .collect();
    let named = |c: &Node| {
        c.child_by_field_name("name")
            .is_some_and(|n| python::text(n, src) == "Migration")
    };
    // A file may hold helper classes too: the one named Migration is the
    // migration, else the one whose body assigns `operations`.
    let ordered = classes
        .iter()
        .filter(|c| named(c))
        .chain(classes.iter().filter(|c| !named(c)));
    ordered.into_iter().find_map(|class| {
        let body = class.child_by_field_name("body")?;
        python::statements(body)
            .into_iter()
            .filter_map(python::assignment)
            .filter(|(left, _)| python::text(*left, src) == "operations")
            .filter_map(|(_, right)| right)
            .next_back()
    })
}

/// Sets the table and column an operation is on, where known.
fn on(mut op: Operation, table: Option<String>, column: Option<String>) -> Operation {
    op.table = table;
    op.column = column;
    op
}

struct Reader<'s> {
    src: &'s str,
    imports: Imports,
}

impl Reader<'_> {
    /// The operations of a list (`operations`, `database_operations`).
    fn list(&self, node: Node, out: &mut Vec<Operation>, depth: usize) {
        if !matches!(node.kind(), "list" | "tuple") {
            out.push(
                Operation::new(OpKind::RunCode, Compat::Unknown).note(format!(
                    "operations built by code: {}",
                    python::snippet(node, self.src)
                )),
            );
            return;
        }
        for item in python::children(node) {
            self.operation(item, out, depth);
        }
    }

    fn string(&self, node: Option<Node>) -> Option<String> {
        node.and_then(|n| python::literal(n, self.src))
            .and_then(|l| l.as_str().map(str::to_string))
    }

    /// A model name as Django keeps it: lowercased.
    fn model(&self, node: Option<Node>) -> Option<String> {
        self.string(node).map(|s| s.to_lowercase())
    }

    fn literal(&self, node: Option<Node>) -> Option<Literal> {
        node.and_then(|n| python::literal(n, self.src))
    }

    /// The operation a call names when it is one of Django's own (from
    /// `django.db.migrations` or `django.contrib.postgres.operations`).
    fn django_operation(&self, call: &Call) -> Option<String> {
        let written = call.name.as_deref()?;
        let resolved = self.imports.resolve(written);
        let last = resolved.rsplit('.').next()?.to_string();
        let own = resolved.starts_with("django.db.migrations.")
            || resolved.starts_with("django.contrib.postgres.operations.")
            // `migrations.X` is Django's whatever the imports (a text cut
            // before them still reads).
            || (resolved == written && written.starts_with("migrations."));
        own.then_some(last)
    }

    fn operation(&self, node: Node, out: &mut Vec<Operation>, depth: usize) {
        let not_understood =
            |note: String| Operation::new(OpKind::NotUnderstood, Compat::Unknown).note(note);
        if node.kind() == "list_splat" {
            out.push(
                Operation::new(OpKind::RunCode, Compat::Unknown).note(format!(
                    "operations built by code: {}",
                    python::snippet(node, self.src)
                )),
            );
            return;
        }
        let Some(call) = python::call(node, self.src) else {
            out.push(not_understood(format!(
                "not an operation: {}",
                python::snippet(node, self.src)
            )));
            return;
        };
        let Some(name) = self.django_operation(&call) else {
            out.push(not_understood(format!(
                "custom operation {}",
                call.name
                    .clone()
                    .unwrap_or_else(|| python::snippet(node, self.src))
            )));
            return;
        };
        let op = |kind: OpKind, compat: Compat| Operation::new(kind, compat);
        let arg = |index: usize, keyword: &str| call.arg(index, keyword);
        let renamed = |node: Option<Node>| self.string(node).map(|new| format!("to {new}"));
        let with_note = |o: Operation, note: Option<String>| match note {
            Some(note) => o.note(note),
            None => o,
        };
        let done = match name.as_str() {
            "CreateModel" => on(
                op(OpKind::CreateTable, Compat::Expand),
                self.model(arg(0, "name")),
                None,
            ),
            "DeleteModel" => on(
                op(OpKind::DropTable, Compat::Contract),
                self.model(arg(0, "name")),
                None,
            ),
            "RenameModel" => with_note(
                on(
                    op(OpKind::RenameTable, Compat::Contract),
                    self.model(arg(0, "old_name")),
                    None,
                ),
                renamed(arg(1, "new_name")).map(|to| to.to_lowercase()),
            ),
            "AlterModelTable" => on(
                op(OpKind::RenameTable, Compat::Contract).note(
                    match self.string(arg(1, "table")) {
                        Some(table) => format!("db_table set to {table}"),
                        None => "db_table changed".to_string(),
                    },
                ),
                self.model(arg(0, "name")),
                None,
            ),
            "AlterModelTableComment" => on(
                op(OpKind::Comment, Compat::Expand),
                self.model(arg(0, "name")),
                None,
            ),
            "AddField" => {
                self.add_field(&call, out);
                return;
            }
            "RemoveField" => on(
                op(OpKind::DropColumn, Compat::Contract),
                self.model(arg(0, "model_name")),
                self.string(arg(1, "name")),
            ),
            "RenameField" => with_note(
                on(
                    op(OpKind::RenameColumn, Compat::Contract),
                    self.model(arg(0, "model_name")),
                    self.string(arg(1, "old_name")),
                ),
                renamed(arg(2, "new_name")),
            ),
            "AlterField" => on(
                op(OpKind::AlterColumn, Compat::Unknown)
                    .note("AlterField: what changes depends on the field's previous definition"),
                self.model(arg(0, "model_name")),
                self.string(arg(1, "name")),
            ),
            "AddIndex" | "AddIndexConcurrently" => {
                let index = arg(1, "index").and_then(|n| python::call(n, self.src));
                let o = on(
                    op(OpKind::CreateIndex, Compat::Expand),
                    self.model(arg(0, "model_name")),
                    index.and_then(|i| self.fields(&i)),
                );
                if name == "AddIndex" {
                    o.note(LOCKS_WRITES)
                } else {
                    o
                }
            }
            "RemoveIndex" | "RemoveIndexConcurrently" => on(
                op(OpKind::DropIndex, Compat::Expand),
                self.model(arg(0, "model_name")),
                None,
            ),
            "RenameIndex" => on(
                op(OpKind::RenameIndex, Compat::Expand),
                self.model(arg(0, "model_name")),
                None,
            ),
            "AlterIndexTogether" => {
                let table = self.model(arg(0, "name"));
                match self.literal(arg(1, "index_together")) {
                    Some(l) if l.is_empty() => {
                        on(op(OpKind::DropIndex, Compat::Expand), table, None)
                    }
                    // Whatever it holds, indexes come and go: expand.
                    _ => on(
                        op(OpKind::CreateIndex, Compat::Expand).note(LOCKS_WRITES),
                        table,
                        None,
                    ),
                }
            }
            "AlterUniqueTogether" => {
                let table = self.model(arg(0, "name"));
                match self.literal(arg(1, "unique_together")) {
                    Some(l) if l.is_empty() => {
                        on(op(OpKind::DropConstraint, Compat::Expand), table, None)
                    }
                    Some(_) => on(
                        op(OpKind::AddUnique, Compat::Contract)
                            .note(format!("unique_together: {MAY_VIOLATE}")),
                        table,
                        None,
                    ),
                    None => on(
                        op(OpKind::AddUnique, Compat::Unknown)
                            .note("unique_together is not a literal"),
                        table,
                        None,
                    ),
                }
            }
            "AddConstraint" | "AddConstraintNotValid" => {
                let table = self.model(arg(0, "model_name"));
                let constraint = arg(1, "constraint").and_then(|n| python::call(n, self.src));
                let kind = constraint.as_ref().map(|c| c.short_name().to_string());
                let column = constraint.as_ref().and_then(|c| self.fields(c));
                match kind.as_deref() {
                    Some("UniqueConstraint") => on(
                        op(OpKind::AddUnique, Compat::Contract).note(MAY_VIOLATE),
                        table,
                        column,
                    ),
                    Some("CheckConstraint") => on(
                        op(OpKind::AddCheck, Compat::Contract).note(MAY_VIOLATE),
                        table,
                        column,
                    ),
                    Some("ExclusionConstraint") => on(
                        op(OpKind::AddCheck, Compat::Contract)
                            .note(format!("exclusion constraint: {MAY_VIOLATE}")),
                        table,
                        column,
                    ),
                    _ => on(
                        not_understood(format!(
                            "constraint not understood: {}",
                            arg(1, "constraint")
                                .map(|n| python::snippet(n, self.src))
                                .unwrap_or_default()
                        )),
                        table,
                        None,
                    ),
                }
            }
            "RemoveConstraint" => on(
                op(OpKind::DropConstraint, Compat::Expand),
                self.model(arg(0, "model_name")),
                None,
            ),
            // New writes were already checked when the constraint was added
            // NOT VALID; validating reads the existing rows only.
            "ValidateConstraint" => on(
                op(OpKind::NoSchemaChange, Compat::Expand)
                    .note("validates existing rows against a constraint already enforced"),
                self.model(arg(0, "model_name")),
                None,
            ),
            "AlterModelOptions" | "AlterModelManagers" => on(
                op(OpKind::NoSchemaChange, Compat::Expand),
                self.model(arg(0, "name")),
                None,
            ),
            "AlterOrderWithRespectTo" => on(
                op(OpKind::AlterColumn, Compat::Unknown)
                    .note("order_with_respect_to adds or drops the _order column"),
                self.model(arg(0, "name")),
                Some("_order".to_string()),
            ),
            "RunPython" => {
                let code = arg(0, "code");
                let dotted = code.and_then(|c| python::dotted(c, self.src));
                if dotted
                    .as_deref()
                    .is_some_and(|d| d.ends_with("RunPython.noop"))
                {
                    return;
                }
                op(OpKind::RunCode, Compat::Unknown).note(match dotted {
                    Some(function) => format!("arbitrary code: {function}"),
                    None => "arbitrary code".to_string(),
                })
            }
            "RunSQL" => {
                self.run_sql(arg(0, "sql"), out);
                return;
            }
            "SeparateDatabaseAndState" => {
                // The state operations change Django's model state only.
                if let Some(database) = arg(0, "database_operations") {
                    if depth < MAX_NESTING {
                        self.list(database, out, depth + 1);
                    } else {
                        out.push(not_understood("operations nested too deep".to_string()));
                    }
                }
                return;
            }
            "CreateExtension" => on(
                op(OpKind::CreateExtension, Compat::Expand),
                self.string(arg(0, "name")),
                None,
            ),
            "CreateCollation" => on(
                op(OpKind::CreateType, Compat::Expand).note("a collation"),
                self.string(arg(0, "name")),
                None,
            ),
            "RemoveCollation" => on(
                op(OpKind::DropType, Compat::Contract).note("a collation"),
                self.string(arg(0, "name")),
                None,
            ),
            other => match extension(other) {
                Some(extension) => op(OpKind::CreateExtension, Compat::Expand).table(extension),
                None => not_understood(format!("operation {other} not understood")),
            },
        };
        out.push(done);
    }

    /// `fields=[…]` of an index or constraint, joined: the columns it is on.
    fn fields(&self, call: &Call) -> Option<String> {
        self.literal(call.keyword("fields"))
            .and_then(|l| l.strings())
            .filter(|f| !f.is_empty())
            .map(|f| f.join(", "))
    }

    /// `AddField`: a new column, or a join table for a many-to-many field.
    fn add_field(&self, call: &Call, out: &mut Vec<Operation>) {
        let table = self.model(call.arg(0, "model_name"));
        let column = self.string(call.arg(1, "name"));
        let at = |o: Operation| on(o, table.clone(), column.clone());
        let Some(field) = call.arg(2, "field").and_then(|n| python::call(n, self.src)) else {
            out.push(at(Operation::new(OpKind::AddColumn, Compat::Unknown)
                .note("the field is not a literal definition")));
            return;
        };
        let kind = field.short_name();
        if kind == "ManyToManyField" {
            out.push(at(Operation::new(OpKind::CreateTable, Compat::Expand)
                .note("the join table of a many-to-many field")));
            return;
        }
        if kind == "GeneratedField" {
            out.push(at(Operation::new(OpKind::AddColumn, Compat::Expand)
                .note("a generated column: the database computes it")));
            return;
        }
        let flag = |keyword: &str| self.literal(field.keyword(keyword));
        let is_true = |keyword: &str| flag(keyword) == Some(Literal::Bool(true));
        if is_true("primary_key") {
            out.push(at(Operation::new(OpKind::AddPrimaryKey, Compat::Contract)
                .note("primary_key=True: a new primary key")));
            return;
        }
        let db_default = field
            .keyword("db_default")
            .is_some_and(|n| python::literal(n, self.src) != Some(Literal::None));
        let column_op = match (field.keyword("null"), flag("null")) {
            (None, _) | (Some(_), Some(Literal::Bool(false))) => {
                if db_default {
                    Operation::new(OpKind::AddColumn, Compat::Expand)
                        .note("NOT NULL with a database default (db_default=)")
                } else if self.literal(call.arg(3, "preserve_default"))
                    == Some(Literal::Bool(false))
                {
                    Operation::new(OpKind::AddColumn, Compat::Contract).note(
                        "preserve_default=False: the default only fills existing rows, then is dropped",
                    )
                } else if field.keyword("default").is_some() {
                    Operation::new(OpKind::AddColumn, Compat::Contract).note(
                        "default= is not a database default: Django drops it after filling existing rows",
                    )
                } else if field.splat {
                    Operation::new(OpKind::AddColumn, Compat::Unknown)
                        .note("the field's arguments are built by code")
                } else {
                    Operation::new(OpKind::AddColumn, Compat::Contract)
                        .note("NOT NULL without a database default")
                }
            }
            (Some(_), Some(Literal::Bool(true))) => {
                Operation::new(OpKind::AddColumn, Compat::Expand)
            }
            (Some(_), _) => {
                Operation::new(OpKind::AddColumn, Compat::Unknown).note("null= is not a literal")
            }
        };
        out.push(at(column_op));
        let one_to_one = kind == "OneToOneField";
        if is_true("unique") || (one_to_one && flag("unique") != Some(Literal::Bool(false))) {
            let why = if one_to_one {
                format!("a one-to-one field is unique: {MAY_VIOLATE}")
            } else {
                format!("unique=True: {MAY_VIOLATE}")
            };
            out.push(at(
                Operation::new(OpKind::AddUnique, Compat::Contract).note(why)
            ));
        }
        if (kind == "ForeignKey" || one_to_one)
            && flag("db_constraint") != Some(Literal::Bool(false))
        {
            out.push(at(Operation::new(OpKind::AddForeignKey, Compat::Expand)
                .note("old writes must reference existing rows")));
        }
        if is_true("db_index") {
            out.push(at(
                Operation::new(OpKind::CreateIndex, Compat::Expand).note(LOCKS_WRITES)
            ));
        }
    }

    /// `RunSQL`'s forward SQL: a string or a list of strings (or of
    /// `(sql, params)` pairs) goes to the SQL reader; anything else is
    /// dynamic.
    fn run_sql(&self, sql: Option<Node>, out: &mut Vec<Operation>) {
        let dynamic = |node: Node| {
            Operation::new(OpKind::RunCode, Compat::Unknown)
                .note(format!("dynamic SQL: {}", python::snippet(node, self.src)))
        };
        let Some(sql) = sql else {
            out.push(
                Operation::new(OpKind::NotUnderstood, Compat::Unknown).note("RunSQL without sql"),
            );
            return;
        };
        if python::dotted(sql, self.src).is_some_and(|d| d.ends_with("RunSQL.noop")) {
            return;
        }
        if let Some(text) = self.string(Some(sql)) {
            out.extend(super::sql::read(&text));
            return;
        }
        if !matches!(sql.kind(), "list" | "tuple") {
            out.push(dynamic(sql));
            return;
        }
        for item in python::children(sql) {
            let text = match item.kind() {
                "list" | "tuple" => {
                    let pair = python::children(item);
                    // Without parameters the driver leaves `%` alone.
                    let params = pair
                        .get(1)
                        .is_some_and(|p| python::literal(*p, self.src) != Some(Literal::None));
                    self.string(pair.first().copied()).map(|text| {
                        if params {
                            bind_placeholders(&text)
                        } else {
                            text
                        }
                    })
                }
                _ => self.string(Some(item)),
            };
            match text {
                Some(text) => out.extend(super::sql::read(&text)),
                None => out.push(dynamic(item)),
            }
        }
    }
}

/// `(sql, params)`: the database driver fills `%s` and `%(name)s` with the
/// parameters (and turns `%%` into `%`), so the SQL reader gets a value,
/// `NULL`, where each one goes.
fn bind_placeholders(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut rest = sql;
    while let Some(at) = rest.find('%') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        if let Some(tail) = after.strip_prefix('%') {
            out.push('%');
            rest = tail;
        } else if let Some(tail) = after.strip_prefix('s') {
            out.push_str("NULL");
            rest = tail;
        } else if let Some(tail) = after
            .strip_prefix('(')
            .and_then(|t| t.split_once(")s"))
            .filter(|(name, _)| !name.contains(['(', ')', '%']))
            .map(|(_, tail)| tail)
        {
            out.push_str("NULL");
            rest = tail;
        } else {
            out.push('%');
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

/// The extension a `django.contrib.postgres` extension operation creates.
fn extension(operation: &str) -> Option<&'static str> {
    Some(match operation {
        "BloomExtension" => "bloom",
        "BtreeGinExtension" => "btree_gin",
        "BtreeGistExtension" => "btree_gist",
        "CITextExtension" => "citext",
        "CryptoExtension" => "pgcrypto",
        "HStoreExtension" => "hstore",
        "TrigramExtension" => "pg_trgm",
        "UnaccentExtension" => "unaccent",
        _ => return None,
    })
}

#[cfg(test)]
#[path = "django_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "django_props.rs"]
mod props;

#[cfg(test)]
#[path = "django_sql_tests.rs"]
mod sql_tests;
