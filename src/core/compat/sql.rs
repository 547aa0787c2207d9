//! The SQL reader: plain SQL migrations (Flyway, golang-migrate, goose,
//! dbmate, sql-migrate, Liquibase formatted SQL) and the SQL that other
//! readers find embedded in code (Django `RunSQL`, Alembic `op.execute`,
//! Rails `execute`).
//!
//! The text is parsed with `sqlparser`, trying PostgreSQL, then MySQL, then
//! SQLite: the first dialect that parses the whole text wins. When none
//! does, the text is split into statements at its top-level semicolons
//! (dollar-quoted bodies and strings stay whole) and each statement is
//! parsed on its own, so one statement sqlparser does not know (a `DO`
//! block, `ALTER SEQUENCE`) leaves the others classified; a statement no
//! dialect parses is a `NotUnderstood` operation carrying the PostgreSQL
//! parse error.
//!
//! Files that hold both directions keep only their "up" part: goose
//! (`-- +goose Up` … `-- +goose Down`), sql-migrate (`-- +migrate Up` …
//! `-- +migrate Down`) and dbmate (`-- migrate:up` … `-- migrate:down`).
//! The other lines are blanked, not removed, so parse errors keep the
//! file's line numbers.
//!
//! Names are written unquoted and keep their qualification as written:
//! `ALTER TABLE "public"."users"` gives the table `public.users`, and
//! `ALTER TABLE users` gives `users`. Operations on an index, a routine, a
//! view, a type or a sequence put that object's name in `table`.

use super::{Compat, OpKind, Operation};
use sqlparser::ast::{
    AlterColumnOperation, AlterDefaultPrivilegesOperation, AlterIndexOperation,
    AlterSchemaOperation, AlterTableOperation, AlterTypeOperation, AlterViewOperation, ColumnDef,
    ColumnOption, CommentObject, CreateIndex, Expr, FromTable, GrantObjects, IndexColumn,
    ObjectName, ObjectNamePart, ObjectType, Statement, TableConstraint, TableFactor, TableObject,
};
use sqlparser::dialect::{Dialect, MySqlDialect, PostgreSqlDialect, SQLiteDialect};
use sqlparser::parser::{Parser, ParserError};
use sqlparser::tokenizer::{Location, Token, TokenWithSpan, Tokenizer};
use std::borrow::Cow;

/// Why an index built without `CONCURRENTLY` matters during a deploy.
const LOCKS: &str = "locks writes while it builds";
const MAY_VIOLATE: &str = "old writes may violate it";
const NOT_NULL_NO_DEFAULT: &str =
    "NOT NULL without a database default: old inserts that omit it fail";
const REPLACES: &str = "old code may rely on what it replaces";
const DYNAMIC: &str = "dynamic SQL: the statement it runs is not in the text";

/// Reads the operations of any SQL text: one statement or many, a whole
/// migration file or a string embedded in another framework's code.
pub(crate) fn read(text: &str) -> Vec<Operation> {
    let text = up_part(text);
    let mut postgres_error = None;
    for dialect in dialects() {
        match Parser::parse_sql(dialect, &text) {
            Ok(statements) => {
                let mut out = Vec::new();
                for statement in &statements {
                    classify(statement, &mut out);
                }
                return out;
            }
            Err(error) => {
                postgres_error.get_or_insert(error);
            }
        }
    }
    recover(&text, postgres_error)
}

/// The dialects tried, in order: PostgreSQL first because it is the most
/// common migration target and its parse error is the one reported.
fn dialects() -> [&'static dyn Dialect; 3] {
    [&PostgreSqlDialect {}, &MySqlDialect {}, &SQLiteDialect {}]
}

// ---------------------------------------------------------------------------
// Up and down sections

#[derive(Clone, Copy, PartialEq)]
enum Marker {
    Up,
    Down,
}

/// A direction marker line of goose, sql-migrate or dbmate.
fn marker(line: &str) -> Option<Marker> {
    let rest = line.trim().strip_prefix("--")?;
    let mut words = rest.split_whitespace();
    let first = words.next()?.to_ascii_lowercase();
    match first.as_str() {
        // dbmate: `-- migrate:up`, optionally followed by options.
        "migrate:up" => Some(Marker::Up),
        "migrate:down" => Some(Marker::Down),
        // goose `-- +goose Up`, sql-migrate `-- +migrate Up`.
        "+goose" | "+migrate" => match words.next()?.to_ascii_lowercase().as_str() {
            "up" => Some(Marker::Up),
            "down" => Some(Marker::Down),
            _ => None,
        },
        _ => None,
    }
}

/// The text with everything outside the up sections blanked (newlines
/// kept), or the text itself when it has no up marker.
fn up_part(text: &str) -> Cow<'_, str> {
    if !text.lines().any(|line| marker(line) == Some(Marker::Up)) {
        return Cow::Borrowed(text);
    }
    let mut kept = String::with_capacity(text.len());
    let mut keep = false;
    for line in text.split_inclusive('\n') {
        match marker(line) {
            Some(found) => keep = found == Marker::Up,
            None if keep => {
                kept.push_str(line);
                continue;
            }
            None => {}
        }
        if line.ends_with('\n') {
            kept.push('\n');
        }
    }
    Cow::Owned(kept)
}

// ---------------------------------------------------------------------------
// Statement-by-statement recovery

/// Classifies a text no dialect parses whole, statement by statement.
fn recover(text: &str, postgres_error: Option<ParserError>) -> Vec<Operation> {
    let tokenized = dialects().into_iter().enumerate().find_map(|(i, dialect)| {
        Tokenizer::new(dialect, text)
            .tokenize_with_location()
            .ok()
            .map(|tokens| (i, dialect, tokens))
    });
    let Some((tokenizing, dialect, tokens)) = tokenized else {
        // Not even the statement boundaries are known: one unknown for all.
        return vec![parse_error(postgres_error.as_ref())];
    };
    let mut cursor = Cursor::new(text);
    let mut out = Vec::new();
    for chunk in tokens.split(|t| t.token == Token::SemiColon) {
        let words = leading_words(chunk, 4);
        let Some(first) = words.first() else {
            continue; // whitespace and comments only
        };
        if first == "DO" {
            out.push(
                Operation::new(OpKind::RunCode, Compat::Unknown)
                    .note("dynamic SQL: a DO block runs procedural code"),
            );
            continue;
        }
        let error = match parse_chunk(dialect, chunk.to_vec()) {
            Ok(statements) => {
                statements.iter().for_each(|s| classify(s, &mut out));
                continue;
            }
            Err(error) => error,
        };
        // The other dialects may parse this one statement; they read its
        // text, since their tokenizers differ.
        let statement = chunk_text(&mut cursor, chunk);
        let other = dialects()
            .into_iter()
            .enumerate()
            .filter(|(i, _)| *i != tokenizing)
            .find_map(|(_, d)| Parser::parse_sql(d, statement).ok());
        if let Some(statements) = other {
            statements.iter().for_each(|s| classify(s, &mut out));
        } else if let Some(ops) = unparsed(dialect, &words, chunk) {
            out.extend(ops);
        } else {
            out.push(parse_error(Some(&error)));
        }
    }
    out
}

fn parse_chunk(
    dialect: &dyn Dialect,
    tokens: Vec<TokenWithSpan>,
) -> Result<Vec<Statement>, ParserError> {
    Parser::new(dialect)
        .with_tokens_with_locations(tokens)
        .parse_statements()
}

/// Statements sqlparser does not parse but whose class their leading
/// keywords tell, whatever follows.
fn unparsed(
    dialect: &dyn Dialect,
    words: &[String],
    chunk: &[TokenWithSpan],
) -> Option<Vec<Operation>> {
    let word = |i: usize| words.get(i).map(String::as_str);
    match (word(0)?, word(1), word(2)) {
        // `DROP INDEX CONCURRENTLY` drops an index like `DROP INDEX`.
        ("DROP", Some("INDEX"), Some("CONCURRENTLY")) => {
            let mut without = chunk.to_vec();
            let at = without.iter().position(|t| is_word(t, "CONCURRENTLY"))?;
            without.remove(at);
            let statements = parse_chunk(dialect, without).ok()?;
            let mut out = Vec::new();
            statements.iter().for_each(|s| classify(s, &mut out));
            Some(out)
        }
        ("ALTER", Some("SEQUENCE"), _) => {
            let sequence = object_name_after(chunk, 2)?;
            Some(vec![if chunk.iter().any(|t| is_word(t, "RENAME")) {
                Operation::new(OpKind::AlterSequence, Compat::Contract)
                    .table(sequence)
                    .note("renames the sequence: old code that names it fails")
            } else {
                Operation::new(OpKind::AlterSequence, Compat::Expand).table(sequence)
            }])
        }
        // SQLite's `PRAGMA foreign_keys = OFF` (sqlparser wants a literal).
        ("PRAGMA", _, _) => Some(vec![Operation::new(OpKind::Session, Compat::Expand)]),
        // PostgreSQL's `CREATE PROCEDURE`, a routine whatever its body.
        ("CREATE", Some("OR"), Some("REPLACE")) => match word(3)? {
            "FUNCTION" | "PROCEDURE" | "TRIGGER" => {
                let routine = object_name_after(chunk, 4)?;
                Some(vec![
                    Operation::new(OpKind::ReplaceRoutine, Compat::Unknown)
                        .table(routine)
                        .note(REPLACES),
                ])
            }
            _ => None,
        },
        ("CREATE", Some("FUNCTION" | "PROCEDURE" | "TRIGGER"), _) => {
            let routine = object_name_after(chunk, 2)?;
            Some(vec![
                Operation::new(OpKind::CreateRoutine, Compat::Expand).table(routine),
            ])
        }
        _ => None,
    }
}

fn is_word(token: &TokenWithSpan, keyword: &str) -> bool {
    matches!(&token.token, Token::Word(w) if w.value.eq_ignore_ascii_case(keyword))
}

/// The (possibly qualified) object name after a statement's first `skip`
/// words and any `IF [NOT] EXISTS`.
fn object_name_after(chunk: &[TokenWithSpan], skip: usize) -> Option<String> {
    let mut skipped = 0;
    let mut name = String::new();
    for token in chunk {
        match &token.token {
            Token::Whitespace(_) if name.is_empty() => {}
            Token::Word(_) if skipped < skip => skipped += 1,
            Token::Word(w)
                if name.is_empty()
                    && ["IF", "NOT", "EXISTS"]
                        .iter()
                        .any(|k| w.value.eq_ignore_ascii_case(k)) => {}
            Token::Word(w) => name.push_str(&w.value),
            Token::Period if !name.is_empty() => name.push('.'),
            _ => break,
        }
    }
    (!name.is_empty()).then_some(name)
}

/// The first `n` words of a token run, upper-cased, whitespace and
/// comments skipped; stops at the first token that is not a word.
fn leading_words(chunk: &[TokenWithSpan], n: usize) -> Vec<String> {
    chunk
        .iter()
        .filter(|t| !matches!(t.token, Token::Whitespace(_)))
        .map_while(|t| match &t.token {
            Token::Word(w) => Some(w.value.to_ascii_uppercase()),
            _ => None,
        })
        .take(n)
        .collect()
}

/// The source text of a run of tokens.
fn chunk_text<'a>(cursor: &mut Cursor<'a>, chunk: &[TokenWithSpan]) -> &'a str {
    let (Some(first), Some(last)) = (chunk.first(), chunk.last()) else {
        return "";
    };
    let start = cursor.seek(first.span.start);
    let end = cursor.seek(last.span.end);
    cursor.text.get(start..end).unwrap_or("")
}

/// Turns the tokenizer's line and column (counted in characters) into byte
/// offsets, walking forward only, so slicing every statement of a text
/// costs one pass over it.
struct Cursor<'a> {
    text: &'a str,
    byte: usize,
    line: u64,
    column: u64,
}

impl<'a> Cursor<'a> {
    fn new(text: &'a str) -> Cursor<'a> {
        Cursor {
            text,
            byte: 0,
            line: 1,
            column: 1,
        }
    }

    fn seek(&mut self, to: Location) -> usize {
        if (to.line, to.column) < (self.line, self.column) {
            *self = Cursor::new(self.text);
        }
        while (self.line, self.column) < (to.line, to.column) {
            let Some(c) = self.text.get(self.byte..).and_then(|s| s.chars().next()) else {
                break;
            };
            self.byte += c.len_utf8();
            if c == '\n' {
                self.line += 1;
                self.column = 1;
            } else {
                self.column += 1;
            }
        }
        self.byte
    }
}

fn parse_error(error: Option<&ParserError>) -> Operation {
    let message = match error {
        Some(ParserError::ParserError(s) | ParserError::TokenizerError(s)) => s.as_str(),
        Some(ParserError::RecursionLimitExceeded) => "nested too deeply",
        None => "no statement found",
    };
    Operation::new(OpKind::NotUnderstood, Compat::Unknown).note(format!("parse error: {message}"))
}

// ---------------------------------------------------------------------------
// Statements

fn op(kind: OpKind, compat: Compat) -> Operation {
    Operation::new(kind, compat)
}

/// A name as written, unquoted, its parts joined by dots.
fn name(object: &ObjectName) -> String {
    object
        .0
        .iter()
        .map(|part| match part {
            ObjectNamePart::Identifier(ident) => ident.value.clone(),
            ObjectNamePart::Function(_) => part.to_string(),
        })
        .collect::<Vec<_>>()
        .join(".")
}

/// The keywords a statement starts with, for the note of one not classified.
fn first_keywords(display: &str) -> String {
    let keywords: Vec<&str> = display
        .split_whitespace()
        .take_while(|w| w.chars().all(|c| c.is_ascii_uppercase() || c == '_'))
        .take(4)
        .collect();
    if keywords.is_empty() {
        display.split_whitespace().next().unwrap_or("").to_string()
    } else {
        keywords.join(" ")
    }
}

fn not_classified(what: String) -> Operation {
    op(OpKind::NotUnderstood, Compat::Unknown).note(format!("statement not classified: {what}"))
}

fn classify(statement: &Statement, out: &mut Vec<Operation>) {
    use Compat::{Contract, Expand, Unknown};
    match statement {
        Statement::CreateTable(create) => {
            out.push(op(OpKind::CreateTable, Expand).table(name(&create.name)));
        }
        Statement::CreateVirtualTable { name: table, .. } => {
            out.push(op(OpKind::CreateTable, Expand).table(name(table)));
        }
        Statement::AlterTable(alter) => alter_table(&name(&alter.name), &alter.operations, out),
        Statement::RenameTable(renames) => {
            for rename in renames {
                out.push(
                    op(OpKind::RenameTable, Contract)
                        .table(name(&rename.old_name))
                        .note(format!("renamed to {}", name(&rename.new_name))),
                );
            }
        }
        Statement::CreateIndex(index) => out.push(create_index(index)),
        Statement::AlterIndex {
            name: index,
            operation: AlterIndexOperation::RenameIndex { index_name },
        } => out.push(
            op(OpKind::RenameIndex, Expand)
                .table(name(index))
                .note(format!("renamed to {}", name(index_name))),
        ),
        Statement::Drop {
            object_type, names, ..
        } => {
            for dropped in names {
                out.push(drop(*object_type, name(dropped)));
            }
        }
        Statement::DropFunction(drop) => {
            for routine in &drop.func_desc {
                out.push(op(OpKind::DropRoutine, Contract).table(name(&routine.name)));
            }
        }
        Statement::DropProcedure { proc_desc, .. } => {
            for routine in proc_desc {
                out.push(op(OpKind::DropRoutine, Contract).table(name(&routine.name)));
            }
        }
        Statement::DropTrigger(drop) => {
            out.push(op(OpKind::DropRoutine, Contract).table(name(&drop.trigger_name)));
        }
        Statement::DropDomain(drop) => {
            out.push(op(OpKind::DropType, Contract).table(name(&drop.name)));
        }
        Statement::DropExtension(drop) => {
            for extension in &drop.names {
                out.push(op(OpKind::DropExtension, Contract).table(extension.value.clone()));
            }
        }
        Statement::Insert(insert) => {
            let mut insert_op = op(OpKind::InsertRows, Expand);
            if let TableObject::TableName(table) = &insert.table {
                insert_op = insert_op.table(name(table));
            }
            out.push(insert_op);
        }
        Statement::Update(update) => {
            let mut update_op = op(OpKind::UpdateRows, Expand);
            if let Some(table) = relation_name(&update.table.relation) {
                update_op = update_op.table(table);
            }
            out.push(update_op);
        }
        Statement::Delete(delete) => {
            // MySQL's multi-table DELETE names the tables it deletes from;
            // otherwise it is the first FROM table (the others are joined).
            let tables: Vec<String> = if delete.tables.is_empty() {
                let (FromTable::WithFromKeyword(from) | FromTable::WithoutKeyword(from)) =
                    &delete.from;
                from.first()
                    .and_then(|t| relation_name(&t.relation))
                    .into_iter()
                    .collect()
            } else {
                delete.tables.iter().map(name).collect()
            };
            if tables.is_empty() {
                out.push(op(OpKind::DeleteRows, Contract));
            }
            for table in tables {
                out.push(op(OpKind::DeleteRows, Contract).table(table));
            }
        }
        Statement::Truncate(truncate) => {
            for target in &truncate.table_names {
                out.push(op(OpKind::Truncate, Contract).table(name(&target.name)));
            }
        }
        Statement::CreateView(view) => out.push(if view.or_replace || view.or_alter {
            op(OpKind::ReplaceView, Unknown)
                .table(name(&view.name))
                .note("old code may read columns it changes")
        } else {
            op(OpKind::CreateView, Expand).table(name(&view.name))
        }),
        Statement::AlterView(alter) => out.push(alter_view(&name(&alter.name), &alter.operation)),
        Statement::CreateFunction(function) => out.push(create_routine(
            &function.name,
            function.or_replace || function.or_alter,
        )),
        Statement::CreateProcedure {
            or_alter,
            name: routine,
            ..
        } => out.push(create_routine(routine, *or_alter)),
        Statement::CreateTrigger(trigger) => out.push(create_routine(
            &trigger.name,
            trigger.or_replace || trigger.or_alter,
        )),
        Statement::CreateType {
            name: type_name, ..
        } => {
            out.push(op(OpKind::CreateType, Expand).table(name(type_name)));
        }
        Statement::CreateDomain(domain) => {
            out.push(op(OpKind::CreateType, Expand).table(name(&domain.name)));
        }
        Statement::AlterType(alter) => {
            let type_name = name(&alter.name);
            out.push(match &alter.operation {
                AlterTypeOperation::AddValue(add) => op(OpKind::AlterType, Expand)
                    .table(type_name)
                    .note(format!("adds enum value {}", add.value.value)),
                AlterTypeOperation::RenameValue(rename) => op(OpKind::AlterType, Contract)
                    .table(type_name)
                    .note(format!(
                        "renames enum value {} to {}: old code that writes it fails",
                        rename.from.value, rename.to.value
                    )),
                AlterTypeOperation::Rename(rename) => op(OpKind::AlterType, Contract)
                    .table(type_name)
                    .note(format!("renamed to {}", rename.new_name.value)),
            });
        }
        Statement::CreateSequence { name: sequence, .. } => {
            out.push(op(OpKind::CreateSequence, Expand).table(name(sequence)));
        }
        Statement::CreateExtension(extension) => {
            out.push(op(OpKind::CreateExtension, Expand).table(extension.name.value.clone()));
        }
        Statement::CreateSchema { schema_name, .. } => {
            out.push(op(OpKind::CreateSchema, Expand).table(schema_name.to_string()));
        }
        Statement::AlterSchema(alter) => {
            let schema = name(&alter.name);
            for operation in &alter.operations {
                out.push(match operation {
                    AlterSchemaOperation::Rename { name: new_name } => {
                        op(OpKind::DropSchema, Contract)
                            .table(schema.clone())
                            .note(format!("renamed to {}", name(new_name)))
                    }
                    AlterSchemaOperation::OwnerTo { .. } => owner_change(schema.clone()),
                    _ => op(OpKind::NoSchemaChange, Expand).table(schema.clone()),
                });
            }
        }
        Statement::Comment {
            object_type,
            object_name,
            ..
        } => out.push(comment(*object_type, object_name)),
        Statement::Grant(grant) => {
            privileges(grant.objects.as_ref(), op(OpKind::Grant, Expand), out);
        }
        Statement::Revoke(revoked) => privileges(revoked.objects.as_ref(), revoke(), out),
        Statement::CreateRole(role) => {
            for created in &role.names {
                out.push(op(OpKind::Grant, Expand).table(name(created)));
            }
        }
        Statement::CreateUser(user) => {
            out.push(op(OpKind::Grant, Expand).table(user.name.value.clone()));
        }
        Statement::GrantRole(_) => out.push(op(OpKind::Grant, Expand)),
        Statement::RevokeRole(_) => out.push(revoke()),
        Statement::AlterDefaultPrivileges(alter) => out.push(match alter.operation {
            AlterDefaultPrivilegesOperation::Grant { .. } => op(OpKind::Grant, Expand),
            _ => revoke(),
        }),
        Statement::Set(_)
        | Statement::Reset(_)
        | Statement::Use(_)
        | Statement::Pragma { .. }
        | Statement::AlterSession { .. } => out.push(op(OpKind::Session, Expand)),
        // A transaction around the migration's statements is no operation;
        // a BEGIN … END block's statements are.
        Statement::StartTransaction { statements, .. } => {
            statements.iter().for_each(|s| classify(s, out));
        }
        Statement::Commit { .. }
        | Statement::Rollback { .. }
        | Statement::Savepoint { .. }
        | Statement::ReleaseSavepoint { .. } => {}
        Statement::Execute { .. } | Statement::Prepare { .. } => {
            out.push(op(OpKind::RunCode, Unknown).note(DYNAMIC));
        }
        Statement::Call(function) => out.push(
            op(OpKind::RunCode, Unknown)
                .table(name(&function.name))
                .note("calls a procedure"),
        ),
        Statement::Analyze(_)
        | Statement::Vacuum(_)
        | Statement::Lock(_)
        | Statement::LockTables { .. }
        | Statement::UnlockTables
        | Statement::RefreshMaterializedView(_) => out.push(op(OpKind::NoSchemaChange, Expand)),
        other => out.push(not_classified(first_keywords(&other.to_string()))),
    }
}

fn relation_name(relation: &TableFactor) -> Option<String> {
    match relation {
        TableFactor::Table { name: table, .. } => Some(name(table)),
        _ => None,
    }
}

/// One privilege change per named object, or one for all.
fn privileges(objects: Option<&GrantObjects>, change: Operation, out: &mut Vec<Operation>) {
    let named = match objects {
        Some(
            GrantObjects::Tables(names)
            | GrantObjects::Views(names)
            | GrantObjects::Sequences(names)
            | GrantObjects::Schemas(names),
        ) => names.as_slice(),
        _ => &[],
    };
    if named.is_empty() {
        out.push(change);
    } else {
        out.extend(
            named
                .iter()
                .map(|object| change.clone().table(name(object))),
        );
    }
}

fn revoke() -> Operation {
    op(OpKind::Grant, Compat::Contract).note("revokes privileges old code may use")
}

fn owner_change(object: String) -> Operation {
    op(OpKind::Grant, Compat::Unknown)
        .table(object)
        .note("a new owner: the old owner loses its privileges")
}

fn create_routine(routine: &ObjectName, replaces: bool) -> Operation {
    if replaces {
        op(OpKind::ReplaceRoutine, Compat::Unknown)
            .table(name(routine))
            .note(REPLACES)
    } else {
        op(OpKind::CreateRoutine, Compat::Expand).table(name(routine))
    }
}

fn drop(object_type: ObjectType, dropped: String) -> Operation {
    use Compat::{Contract, Expand};
    match object_type {
        ObjectType::Table | ObjectType::ForeignTable => op(OpKind::DropTable, Contract),
        ObjectType::View | ObjectType::MaterializedView => op(OpKind::DropView, Contract),
        ObjectType::Index => op(OpKind::DropIndex, Expand),
        ObjectType::Schema | ObjectType::Database => op(OpKind::DropSchema, Contract),
        ObjectType::Sequence => op(OpKind::DropSequence, Contract),
        ObjectType::Type => op(OpKind::DropType, Contract),
        ObjectType::Role | ObjectType::User | ObjectType::Group => {
            op(OpKind::Grant, Contract).note("drops a role old code may connect as")
        }
        other => return not_classified(format!("DROP {other}")),
    }
    .table(dropped)
}

fn comment(object_type: CommentObject, object: &ObjectName) -> Operation {
    let commented = op(OpKind::Comment, Compat::Expand);
    match (object_type, object.0.split_last()) {
        (CommentObject::Column, Some((column, table))) if !table.is_empty() => {
            let table = ObjectName(table.to_vec());
            commented
                .table(name(&table))
                .column(name(&ObjectName(vec![column.clone()])))
        }
        _ => commented.table(name(object)),
    }
}

fn alter_view(view: &str, operation: &AlterViewOperation) -> Operation {
    use Compat::{Contract, Expand, Unknown};
    match operation {
        AlterViewOperation::As { .. } => op(OpKind::ReplaceView, Unknown)
            .table(view)
            .note("old code may read columns it changes"),
        AlterViewOperation::RenameTo { new_name } => op(OpKind::RenameTable, Contract)
            .table(view)
            .note(format!("a view, renamed to {}", name(new_name))),
        AlterViewOperation::SetSchema { schema_name } => op(OpKind::RenameTable, Contract)
            .table(view)
            .note(format!("a view, moved to schema {}", name(schema_name))),
        AlterViewOperation::RenameColumn {
            old_column_name,
            new_column_name,
        } => op(OpKind::RenameColumn, Contract)
            .table(view)
            .column(old_column_name.value.clone())
            .note(format!("renamed to {}", new_column_name.value)),
        AlterViewOperation::AlterColumn { column_name, op } => {
            alter_column(view, &column_name.value, op)
        }
        AlterViewOperation::OwnerTo(_) => owner_change(view.to_string()),
        _ => op(OpKind::NoSchemaChange, Expand).table(view),
    }
}

// ---------------------------------------------------------------------------
// ALTER TABLE

fn alter_table(table: &str, operations: &[AlterTableOperation], out: &mut Vec<Operation>) {
    use Compat::{Contract, Expand};
    for operation in operations {
        let on_table = |kind, compat| op(kind, compat).table(table);
        match operation {
            AlterTableOperation::AddColumn { column_def, .. } => {
                out.push(add_column(table, column_def));
            }
            AlterTableOperation::AddConstraint { constraint, .. } => {
                out.push(add_constraint(table, constraint));
            }
            AlterTableOperation::DropColumn { column_names, .. } => {
                for column in column_names {
                    out.push(on_table(OpKind::DropColumn, Contract).column(column.value.clone()));
                }
            }
            AlterTableOperation::RenameColumn {
                old_column_name,
                new_column_name,
            } => out.push(
                on_table(OpKind::RenameColumn, Contract)
                    .column(old_column_name.value.clone())
                    .note(format!("renamed to {}", new_column_name.value)),
            ),
            AlterTableOperation::RenameTable { table_name } => {
                let (sqlparser::ast::RenameTableNameKind::As(new_name)
                | sqlparser::ast::RenameTableNameKind::To(new_name)) = table_name;
                out.push(
                    on_table(OpKind::RenameTable, Contract)
                        .note(format!("renamed to {}", name(new_name))),
                );
            }
            AlterTableOperation::AlterColumn { column_name, op } => {
                out.push(alter_column(table, &column_name.value, op));
            }
            // MySQL's MODIFY and CHANGE restate the whole column definition:
            // without the previous one, any of its type, nullability or
            // default may change.
            AlterTableOperation::ModifyColumn { col_name, .. } => out.push(
                on_table(OpKind::AlterColumnType, Contract)
                    .column(col_name.value.clone())
                    .note("MODIFY restates the column: its type or nullability may change"),
            ),
            AlterTableOperation::ChangeColumn {
                old_name, new_name, ..
            } => out.push(if old_name.value == new_name.value {
                on_table(OpKind::AlterColumnType, Contract)
                    .column(old_name.value.clone())
                    .note("CHANGE restates the column: its type or nullability may change")
            } else {
                on_table(OpKind::RenameColumn, Contract)
                    .column(old_name.value.clone())
                    .note(format!(
                        "renamed to {} by CHANGE, which may also change its type",
                        new_name.value
                    ))
            }),
            AlterTableOperation::DropConstraint { .. }
            | AlterTableOperation::DropPrimaryKey { .. }
            | AlterTableOperation::DropForeignKey { .. } => {
                out.push(on_table(OpKind::DropConstraint, Expand));
            }
            AlterTableOperation::DropIndex { name: index } => {
                out.push(op(OpKind::DropIndex, Expand).table(index.value.clone()));
            }
            AlterTableOperation::RenameConstraint { old_name, new_name } => {
                out.push(on_table(OpKind::RenameIndex, Expand).note(format!(
                    "constraint {} renamed to {}",
                    old_name.value, new_name.value
                )))
            }
            // A NOT VALID constraint already holds for new writes; validating
            // it checks the existing rows only.
            AlterTableOperation::ValidateConstraint { .. } => out.push(
                on_table(OpKind::NoSchemaChange, Expand)
                    .note("validates a constraint new writes already obey"),
            ),
            // Clauses of the same statement (`ALGORITHM=INPLACE, LOCK=NONE`).
            AlterTableOperation::Algorithm { .. } | AlterTableOperation::Lock { .. } => {}
            AlterTableOperation::AutoIncrement { .. }
            | AlterTableOperation::SetLogged
            | AlterTableOperation::SetUnlogged
            | AlterTableOperation::ReplicaIdentity { .. }
            | AlterTableOperation::SetOptionsParens { .. }
            | AlterTableOperation::ResetOptions { .. }
            | AlterTableOperation::SetTblProperties { .. }
            | AlterTableOperation::DisableRowLevelSecurity
            | AlterTableOperation::NoForceRowLevelSecurity => {
                out.push(on_table(OpKind::NoSchemaChange, Expand));
            }
            AlterTableOperation::OwnerTo { .. } => out.push(owner_change(table.to_string())),
            other => out.push(
                not_classified(format!(
                    "ALTER TABLE {}",
                    first_keywords(&other.to_string())
                ))
                .table(table),
            ),
        }
    }
}

fn alter_column(table: &str, column: &str, operation: &AlterColumnOperation) -> Operation {
    use Compat::{Contract, Expand};
    let on_column = |kind, compat| op(kind, compat).table(table).column(column);
    match operation {
        AlterColumnOperation::SetNotNull => {
            on_column(OpKind::SetNotNull, Contract).note("old writes that leave it null fail")
        }
        AlterColumnOperation::DropNotNull => on_column(OpKind::DropNotNull, Expand),
        AlterColumnOperation::SetDefault { .. } => on_column(OpKind::SetDefault, Expand),
        AlterColumnOperation::DropDefault => on_column(OpKind::DropDefault, Contract)
            .note("old writes that omit the column may fail"),
        AlterColumnOperation::SetDataType { .. } => on_column(OpKind::AlterColumnType, Contract),
        // `ADD GENERATED … AS IDENTITY`: the column gets a database default.
        AlterColumnOperation::AddGenerated { .. } => on_column(OpKind::SetDefault, Expand),
        other => not_classified(format!(
            "ALTER COLUMN {}",
            first_keywords(&other.to_string())
        ))
        .table(table)
        .column(column),
    }
}

/// PostgreSQL's serial types carry their own default (`nextval`).
fn is_serial(column: &ColumnDef) -> bool {
    let data_type = column.data_type.to_string().to_ascii_lowercase();
    matches!(
        data_type.as_str(),
        "serial" | "bigserial" | "smallserial" | "serial2" | "serial4" | "serial8"
    )
}

fn add_column(table: &str, column: &ColumnDef) -> Operation {
    let (mut not_null, mut default, mut unique, mut primary, mut check) =
        (false, is_serial(column), false, false, false);
    for option in &column.options {
        match &option.option {
            ColumnOption::NotNull => not_null = true,
            ColumnOption::Default(_)
            | ColumnOption::Generated { .. }
            | ColumnOption::Identity(_)
            | ColumnOption::Materialized(_)
            | ColumnOption::Alias(_) => default = true,
            // MySQL's AUTO_INCREMENT, SQLite's AUTOINCREMENT.
            ColumnOption::DialectSpecific(tokens) => {
                default |= tokens.iter().any(|t| match t {
                    Token::Word(w) => {
                        w.value.eq_ignore_ascii_case("auto_increment")
                            || w.value.eq_ignore_ascii_case("autoincrement")
                    }
                    _ => false,
                });
            }
            ColumnOption::Unique(_) => unique = true,
            ColumnOption::PrimaryKey(_) => primary = true,
            ColumnOption::Check(_) => check = true,
            _ => {}
        }
    }
    let added = |compat| {
        op(OpKind::AddColumn, compat)
            .table(table)
            .column(column.name.value.clone())
    };
    if primary {
        added(Compat::Contract).note("a primary key: old writes may violate it")
    } else if not_null && !default {
        added(Compat::Contract).note(NOT_NULL_NO_DEFAULT)
    } else if unique {
        added(Compat::Contract).note("unique: old writes may violate it")
    } else if check {
        added(Compat::Contract).note("a check constraint: old writes may violate it")
    } else {
        added(Compat::Expand)
    }
}

/// The column of a one-column index or constraint.
fn single_column(columns: &[IndexColumn]) -> Option<String> {
    match columns {
        [only] => match &only.column.expr {
            Expr::Identifier(ident) => Some(ident.value.clone()),
            Expr::CompoundIdentifier(parts) => parts.last().map(|i| i.value.clone()),
            _ => None,
        },
        _ => None,
    }
}

fn with_column(operation: Operation, column: Option<String>) -> Operation {
    match column {
        Some(column) => operation.column(column),
        None => operation,
    }
}

fn add_constraint(table: &str, constraint: &TableConstraint) -> Operation {
    use Compat::{Contract, Expand};
    let on_table = |kind, compat| op(kind, compat).table(table);
    match constraint {
        TableConstraint::Unique(unique) => with_column(
            on_table(OpKind::AddUnique, Contract).note(MAY_VIOLATE),
            single_column(&unique.columns),
        ),
        TableConstraint::PrimaryKey(primary) => with_column(
            on_table(OpKind::AddPrimaryKey, Contract).note(MAY_VIOLATE),
            single_column(&primary.columns),
        ),
        TableConstraint::ForeignKey(foreign) => {
            let column = match foreign.columns.as_slice() {
                [only] => Some(only.value.clone()),
                _ => None,
            };
            with_column(
                on_table(OpKind::AddForeignKey, Expand)
                    .note("old writes must reference existing rows"),
                column,
            )
        }
        TableConstraint::Check(_) => on_table(OpKind::AddCheck, Contract).note(MAY_VIOLATE),
        TableConstraint::Exclude(_) => on_table(OpKind::AddCheck, Contract)
            .note("an exclusion constraint: old writes may violate it"),
        TableConstraint::Index(index) => with_column(
            on_table(OpKind::CreateIndex, Expand).note(LOCKS),
            single_column(&index.columns),
        ),
        TableConstraint::FulltextOrSpatial(index) => with_column(
            on_table(OpKind::CreateIndex, Expand).note(LOCKS),
            single_column(&index.columns),
        ),
        TableConstraint::PrimaryKeyUsingIndex(_) => {
            on_table(OpKind::AddPrimaryKey, Contract).note(MAY_VIOLATE)
        }
        // The unique index exists already: writes obey it before this runs.
        TableConstraint::UniqueUsingIndex(_) => {
            on_table(OpKind::AddUnique, Expand).note("promotes an existing unique index")
        }
    }
}

fn create_index(index: &CreateIndex) -> Operation {
    let table = name(&index.table_name);
    let column = single_column(&index.columns);
    let created = if index.unique {
        let note = if index.concurrently {
            MAY_VIOLATE.to_string()
        } else {
            format!("{MAY_VIOLATE}; {LOCKS}")
        };
        op(OpKind::AddUnique, Compat::Contract).note(note)
    } else if index.concurrently {
        op(OpKind::CreateIndex, Compat::Expand)
    } else {
        op(OpKind::CreateIndex, Compat::Expand).note(LOCKS)
    };
    with_column(created.table(table), column)
}

#[cfg(test)]
#[path = "sql_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "sql_recovery_tests.rs"]
mod recovery_tests;
