//! How the calls whose class depends on their options are classed: new
//! columns by `null:` and `default:`, references and timestamps by Rails'
//! version defaults, indexes by `unique:` and `algorithm:`, and the column
//! changes by their new value.

use super::literal::{Args, Value, lookup};
use super::{Walker, op};
use crate::core::compat::{Compat, OpKind, Operation};

const NOTE_DB_DEFAULT: &str = "default: is a database default in Rails";
const NOTE_NOT_NULL: &str = "NOT NULL without a database default";
const NOTE_TIMESTAMPS: &str =
    "timestamps are NOT NULL by default since Rails 5, without a database default";
const NOTE_LOCK: &str = "locks writes while it builds";
pub(super) const NOTE_FK: &str = "old writes must reference existing rows";
pub(super) const NOTE_VIOLATE: &str = "old writes may violate it";
const NOTE_FILL: &str =
    "the 4th argument fills existing NULLs, but old writes may still leave it NULL";
const NOTE_OMIT: &str = "old writes that omit the column may fail";
const NOTE_OPAQUE: &str = "options are not literal";

impl Walker<'_> {
    /// `add_column`'s rule: nullable, or NOT NULL with a database default,
    /// is expand; NOT NULL alone is contract.
    pub(super) fn new_column(&self, args: &Args) -> Operation {
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
    pub(super) fn reference(&self, args: &Args) -> Vec<Operation> {
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
    pub(super) fn timestamps(&self, args: &Args) -> Vec<Operation> {
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
}

/// `operation` in another class, saying why.
fn reclassed(operation: Operation, compat: Compat, why: &str) -> Operation {
    Operation {
        compat,
        ..operation
    }
    .note(why)
}

pub(super) fn polymorphic(args: &Args) -> bool {
    matches!(
        args.opt("polymorphic"),
        Some(Value::Bool(true) | Value::Hash(_))
    )
}

pub(super) fn create_table(table: Option<String>, args: &Args) -> Operation {
    let base = op(OpKind::CreateTable, Compat::Expand, table, None);
    match args.opt("force") {
        None | Some(Value::Bool(false) | Value::Nil) => base,
        Some(v) if v.is_literal() => reclassed(
            base,
            Compat::Contract,
            "force: drops the table first if it exists",
        ),
        Some(_) => reclassed(base, Compat::Unknown, "force: is not a literal"),
    }
}

/// Classes a new column by `null:` and `default:`; `implicit_not_null` is
/// the note when NOT NULL comes from Rails' defaults, not the text.
pub(super) fn not_null_rule(
    base: Operation,
    args: &Args,
    implicit_not_null: Option<&str>,
) -> Operation {
    if args.opaque {
        return reclassed(base, Compat::Unknown, NOTE_OPAQUE);
    }
    let not_null = match args.opt("null") {
        Some(Value::Bool(false)) => NOTE_NOT_NULL,
        None | Some(Value::Nil) => match implicit_not_null {
            Some(note) => note,
            None => return base,
        },
        Some(Value::Bool(true)) => return base,
        Some(_) => return reclassed(base, Compat::Unknown, "null: is not a literal"),
    };
    match args.opt("default") {
        None | Some(Value::Nil) => reclassed(base, Compat::Contract, not_null),
        Some(v) if v.is_literal() => reclassed(base, Compat::Expand, NOTE_DB_DEFAULT),
        Some(_) => reclassed(base, Compat::Unknown, "default: is not a literal"),
    }
}

/// An index: unique is contract, any other expand, noting the write lock
/// unless built concurrently.
pub(super) fn index(
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
pub(super) fn change_null(set: Operation, flag: Option<&Value>, fills: bool) -> Operation {
    match flag {
        Some(Value::Bool(true)) => Operation {
            op: OpKind::DropNotNull,
            compat: Compat::Expand,
            ..set
        },
        Some(Value::Bool(false) | Value::Nil) if fills => set.note(NOTE_FILL),
        Some(Value::Bool(false) | Value::Nil) => set,
        _ => reclassed(set, Compat::Unknown, "the null argument is not a literal"),
    }
}

/// `change_column_default`'s new default: the value, or `to:` of
/// `from: …, to: …`; `nil` drops the default.
pub(super) fn change_default(
    set: Operation,
    value: Option<&Value>,
    opts: &[(String, Value)],
) -> Operation {
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
        Some(_) => reclassed(set, Compat::Unknown, "the new default is not a literal"),
        None => reclassed(set, Compat::Unknown, "no new default given"),
    }
}
