//! Each `op` method (and `batch_op` method) mapped to the operations it
//! makes on the database.

use super::arguments::Args;
use super::{Batch, Reader, code, on};
use crate::core::compat::python::{self, Call, Literal};
use crate::core::compat::{Compat, OpKind, Operation, sql};
use tree_sitter::Node;

const LOCKS_WRITES: &str = "locks writes while it builds";
const MAY_VIOLATE: &str = "old writes may violate it";
const MUST_REFERENCE: &str = "old writes must reference existing rows";

/// `op` methods that hand out the connection or run code: as statements
/// they are arbitrary code, not schema operations.
const CODE: [&str; 5] = [
    "get_bind",
    "get_context",
    "run_async",
    "invoke",
    "implementation_for",
];

/// An `op` method that makes one operation of a fixed kind and class on
/// its table argument and, for some, the columns it names: most of them,
/// read by one rule instead of an arm each.
struct Fixed {
    operation: Operation,
    /// Where the table argument sits in the `op` form: after the name of
    /// the index or constraint, for the methods that take one.
    table_at: usize,
    table_keyword: &'static str,
    column: ColumnArg,
}

/// Where a fixed operation's column comes from in the `op` form.
enum ColumnArg {
    None,
    /// One column's name.
    Name(usize, &'static str),
    /// A list of column names, joined.
    List(usize, &'static str),
}

impl Fixed {
    fn on(table_at: usize, operation: Operation) -> Fixed {
        Fixed {
            operation,
            table_at,
            table_keyword: "table_name",
            column: ColumnArg::None,
        }
    }

    fn keyword(self, table_keyword: &'static str) -> Fixed {
        Fixed {
            table_keyword,
            ..self
        }
    }

    fn column(self, column: ColumnArg) -> Fixed {
        Fixed { column, ..self }
    }
}

/// The fixed operation an `op` method makes, if it is one of those; the
/// others need their arguments read one by one.
fn fixed(method: &str) -> Option<Fixed> {
    use ColumnArg::{List, Name};
    use Compat::{Contract, Expand};
    use OpKind::*;
    let op = Operation::new;
    Some(match method {
        "create_table" => Fixed::on(0, op(CreateTable, Expand)),
        "drop_table" => Fixed::on(0, op(DropTable, Contract)),
        "drop_column" => Fixed::on(0, op(DropColumn, Contract)).column(Name(1, "column_name")),
        "drop_index" => Fixed::on(1, op(DropIndex, Expand)),
        "create_unique_constraint" => {
            Fixed::on(1, op(AddUnique, Contract).note(MAY_VIOLATE)).column(List(2, "columns"))
        }
        "create_foreign_key" => Fixed::on(1, op(AddForeignKey, Expand).note(MUST_REFERENCE))
            .keyword("source_table")
            .column(List(3, "local_cols")),
        "create_check_constraint" => Fixed::on(1, op(AddCheck, Contract).note(MAY_VIOLATE)),
        "create_exclude_constraint" => Fixed::on(
            1,
            op(AddCheck, Contract).note(format!("exclusion constraint: {MAY_VIOLATE}")),
        ),
        "create_primary_key" => {
            Fixed::on(1, op(AddPrimaryKey, Contract)).column(List(2, "columns"))
        }
        "drop_constraint" => Fixed::on(1, op(DropConstraint, Expand)),
        "create_table_comment" | "drop_table_comment" => Fixed::on(0, op(Comment, Expand)),
        _ => return None,
    })
}

impl<'t> Reader<'_, 't> {
    /// One `op.X(…)` or `batch_op.X(…)` call.
    pub(super) fn operation(
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
        if let Some(fixed) = fixed(method) {
            let a = args(fixed.table_at);
            let column = match fixed.column {
                ColumnArg::None => None,
                ColumnArg::Name(index, keyword) => self.string(a.arg(index, keyword)),
                ColumnArg::List(index, keyword) => self.columns(a.arg(index, keyword)),
            };
            out.push(on(
                fixed.operation,
                a.table(self, fixed.table_keyword),
                column,
            ));
            return;
        }
        let op = Operation::new;
        let done = match method {
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
            out.push(at(
                Operation::new(OpKind::AddForeignKey, Compat::Expand).note(MUST_REFERENCE)
            ));
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
            Some(text) => out.extend(sql::read(&text)),
            None => out.push(code(format!(
                "dynamic SQL: {}",
                python::snippet(sql, self.src)
            ))),
        }
    }
}
