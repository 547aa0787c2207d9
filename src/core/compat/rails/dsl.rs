//! The schema DSL: which operations a migration-level call such as
//! `add_column` or `drop_table` stands for, and which migration-level call a
//! `t.<method>` inside `change_table` stands for.

use super::literal::{Args, Value};
use super::rules::{
    NOTE_FK, NOTE_VIOLATE, change_default, change_null, create_table, index, polymorphic,
};
use super::{Scope, Walker, op};
use crate::core::compat::{Compat, OpKind, Operation};
use Compat::{Contract, Expand, Unknown};
use tree_sitter::Node;

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

/// `t.<method>` inside `change_table` standing for one migration-level
/// call with the block's table first (`t.remove :a` is
/// `remove_columns :users, :a`).
const TABLE_METHODS: &[(&str, &str)] = &[
    ("column", "add_column"),
    ("remove", "remove_columns"),
    ("rename", "rename_column"),
    ("change", "change_column"),
    ("index", "add_index"),
    ("remove_index", "remove_index"),
    ("rename_index", "rename_index"),
    ("timestamps", "add_timestamps"),
    ("remove_timestamps", "remove_timestamps"),
    ("change_default", "change_column_default"),
    ("change_null", "change_column_null"),
    ("foreign_key", "add_foreign_key"),
    ("remove_foreign_key", "remove_foreign_key"),
    ("check_constraint", "add_check_constraint"),
    ("remove_check_constraint", "remove_check_constraint"),
];

/// Calls that are one operation on the table named first, classed by the
/// call alone: the method, the operation, its class and why.
const TABLE_OPS: &[(&str, OpKind, Compat, Option<&str>)] = &[
    ("rename_table", OpKind::RenameTable, Contract, None),
    ("change_table_comment", OpKind::Comment, Expand, None),
    ("rename_index", OpKind::RenameIndex, Expand, None),
    ("remove_foreign_key", OpKind::DropConstraint, Expand, None),
    (
        "remove_check_constraint",
        OpKind::DropConstraint,
        Expand,
        None,
    ),
    (
        "add_check_constraint",
        OpKind::AddCheck,
        Contract,
        Some(NOTE_VIOLATE),
    ),
    ("enable_extension", OpKind::CreateExtension, Expand, None),
    ("disable_extension", OpKind::DropExtension, Contract, None),
    ("create_enum", OpKind::CreateType, Expand, None),
    ("add_enum_value", OpKind::AlterType, Expand, None),
    (
        "rename_enum_value",
        OpKind::AlterType,
        Contract,
        Some("old code may write the old value"),
    ),
    (
        "rename_enum",
        OpKind::AlterType,
        Contract,
        Some("old code may name the old type"),
    ),
    ("drop_enum", OpKind::DropType, Contract, None),
    // The scenic gem's views.
    ("create_view", OpKind::CreateView, Expand, None),
    (
        "update_view",
        OpKind::ReplaceView,
        Unknown,
        Some("old code may read different columns"),
    ),
    (
        "replace_view",
        OpKind::ReplaceView,
        Unknown,
        Some("old code may read different columns"),
    ),
    ("drop_view", OpKind::DropView, Contract, None),
];

/// Calls that are one operation on the column named second, classed by
/// the call alone.
const COLUMN_OPS: &[(&str, OpKind, Compat)] = &[
    ("remove_column", OpKind::DropColumn, Contract),
    ("rename_column", OpKind::RenameColumn, Contract),
    ("change_column", OpKind::AlterColumnType, Contract),
    ("change_column_comment", OpKind::Comment, Expand),
];

impl<'t> Walker<'t> {
    /// `t.<method>` inside `change_table`: the migration-level method it
    /// stands for, the block's table first.
    pub(super) fn table_method(&mut self, name: &str, node: Node, args: &Args, scope: &Scope) {
        let args = args.with_table(&scope.table);
        let per_name = |method: &str, walker: &Walker| -> Vec<Operation> {
            (1..args.pos.len())
                .flat_map(|i| walker.schema_op(method, &args.single(i)))
                .collect()
        };
        let ops = match name {
            "references" | "belongs_to" => per_name("add_reference", self),
            "remove_references" | "remove_belongs_to" => per_name("remove_reference", self),
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
            _ => match TABLE_METHODS.iter().find(|(method, _)| *method == name) {
                Some((_, call)) => self.schema_op(call, &args),
                None => Vec::new(),
            },
        };
        if ops.is_empty() {
            self.code(node);
        } else {
            self.ops.extend(ops);
        }
    }

    /// The operations of one schema DSL call; empty for a method that is
    /// not part of the DSL (the caller classes it as code).
    pub(super) fn schema_op(&self, name: &str, args: &Args) -> Vec<Operation> {
        let table = args.name(0);
        let at = |kind, compat| op(kind, compat, table.clone(), None);
        let on = |kind, compat, index: usize| op(kind, compat, table.clone(), args.name(index));
        let dropped =
            |column: String| op(OpKind::DropColumn, Contract, table.clone(), Some(column));
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
            "create_join_table" => vec![op(OpKind::CreateTable, Expand, join_table(args), None)],
            "drop_table" => named_from(0, OpKind::DropTable, Contract)
                .into_iter()
                .map(|mut o| {
                    o.table = o.column.take().or(o.table);
                    o
                })
                .collect(),
            "drop_join_table" => vec![op(OpKind::DropTable, Contract, join_table(args), None)],
            "add_column" => vec![self.new_column(args)],
            "add_reference" | "add_belongs_to" => self.reference(args),
            "remove_reference" | "remove_belongs_to" => {
                let Some(name) = args.name(1) else {
                    return vec![at(OpKind::DropColumn, Contract)];
                };
                let mut ops = vec![dropped(format!("{name}_id"))];
                if polymorphic(args) {
                    ops.push(dropped(format!("{name}_type")));
                }
                ops
            }
            "add_timestamps" => self.timestamps(args),
            "remove_timestamps" => ["created_at", "updated_at"]
                .into_iter()
                .map(|c| dropped(c.into()))
                .collect(),
            "remove_columns" => named_from(1, OpKind::DropColumn, Contract),
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
            "add_foreign_key" => {
                let column = args.opt("column").and_then(Value::names);
                vec![op(OpKind::AddForeignKey, Expand, table, column).note(NOTE_FK)]
            }
            _ => {
                if let Some(&(_, kind, compat, note)) = TABLE_OPS.iter().find(|o| o.0 == name) {
                    let operation = at(kind, compat);
                    vec![match note {
                        Some(note) => operation.note(note),
                        None => operation,
                    }]
                } else if let Some(&(_, kind, compat)) = COLUMN_OPS.iter().find(|o| o.0 == name) {
                    vec![on(kind, compat, 1)]
                } else {
                    Vec::new()
                }
            }
        }
    }
}

/// A join table's name: `table_name:` when given, else Rails' own.
fn join_table(args: &Args) -> Option<String> {
    args.opt("table_name")
        .and_then(Value::name)
        .or_else(|| join_table_name(args.name(0)?, args.name(1)?))
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
