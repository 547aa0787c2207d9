//! The SQL reader's up sections, statement-by-statement recovery, parse
//! errors, and the property that no text makes it panic.

use super::read;
use super::tests::{note, only, row, rows};
use crate::core::compat::test_support::config;
use crate::core::compat::{Classification, Compat, OpKind};
use Compat::{Contract, Expand, Unknown};
use proptest::prelude::*;

#[test]
fn goose_keeps_the_up_section() {
    let text = "-- +goose Up\n\
                -- +goose StatementBegin\n\
                CREATE TABLE pets (id int);\n\
                ALTER TABLE owners ADD COLUMN pet_id int;\n\
                -- +goose StatementEnd\n\
                \n\
                -- +goose Down\n\
                -- +goose StatementBegin\n\
                DROP TABLE pets;\n\
                ALTER TABLE owners DROP COLUMN pet_id;\n\
                -- +goose StatementEnd\n";
    assert_eq!(
        rows(&read(text)),
        vec![
            row(OpKind::CreateTable, "pets", "", Expand),
            row(OpKind::AddColumn, "owners", "pet_id", Expand),
        ]
    );
    assert_eq!(Classification::of(read(text)).compat, Expand);
}

#[test]
fn dbmate_and_sql_migrate_keep_the_up_section() {
    let dbmate = "-- migrate:up transaction:false\n\
                  create index concurrently pets_name on pets (name);\n\
                  \n\
                  -- migrate:down\n\
                  drop index pets_name;\n\
                  drop table pets;\n";
    assert_eq!(
        rows(&read(dbmate)),
        vec![row(OpKind::CreateIndex, "pets", "name", Expand)]
    );
    let sql_migrate = "-- +migrate Up\nALTER TABLE pets ADD COLUMN age int;\n\
                       -- +migrate Down\nALTER TABLE pets DROP COLUMN age;\n";
    assert_eq!(
        rows(&read(sql_migrate)),
        vec![row(OpKind::AddColumn, "pets", "age", Expand)]
    );
}

#[test]
fn a_down_section_alone_is_read_whole() {
    // Without an up marker nothing tells which part runs: all of it counts.
    let text = "DROP TABLE pets;\n-- +goose Down\nCREATE TABLE pets (id int);\n";
    assert_eq!(read(text).len(), 2);
}

#[test]
fn parse_errors_keep_the_file_line_numbers() {
    let text = "-- +goose Up\nCREATE TABLE pets (id int);\nCREATE TABLE (;\n-- +goose Down\nDROP TABLE pets;\n";
    let operations = read(text);
    assert_eq!(operations.len(), 2, "{operations:?}");
    assert_eq!(operations[1].op, OpKind::NotUnderstood);
    assert!(note(&operations[1]).contains("Line: 3"), "{operations:?}");
}

#[test]
fn malformed_sql_is_one_unknown_with_the_postgresql_error() {
    for text in [
        "CREATE TABLE (",
        "ALTER TABLE users ADD COLUMN",
        "SELEC * FROM t",
        "DROP",
    ] {
        let operation = only(text);
        assert_eq!(
            (operation.op, operation.compat),
            (OpKind::NotUnderstood, Unknown),
            "{text}"
        );
        assert!(
            note(&operation).starts_with("parse error: Expected"),
            "{text}: {operation:?}"
        );
    }
    // An unterminated string: no dialect can even split the statements.
    let operation = only("INSERT INTO t VALUES ('oops);");
    assert_eq!(operation.op, OpKind::NotUnderstood);
    assert!(
        note(&operation).starts_with("parse error: "),
        "{operation:?}"
    );
}

#[test]
fn one_statement_not_understood_leaves_the_others_classified() {
    let text =
        "CREATE TABLE pets (id int);\nfrobnicate the pets;\nALTER TABLE owners DROP COLUMN pet;\n";
    let operations = read(text);
    assert_eq!(
        rows(&operations),
        vec![
            row(OpKind::CreateTable, "pets", "", Expand),
            row(OpKind::NotUnderstood, "", "", Unknown),
            row(OpKind::DropColumn, "owners", "pet", Contract),
        ]
    );
    assert!(note(&operations[1]).contains("found: frobnicate at Line: 2, Column: 1"));
}

#[test]
fn do_blocks_are_dynamic_sql() {
    let text = r#"
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_type WHERE typname = 'mood') THEN
    CREATE TYPE mood AS ENUM ('sad', 'ok');
  END IF;
END
$$;
ALTER TABLE people ADD COLUMN mood mood;
"#;
    let operations = read(text);
    assert_eq!(
        rows(&operations),
        vec![
            row(OpKind::RunCode, "", "", Unknown),
            row(OpKind::AddColumn, "people", "mood", Expand),
        ]
    );
    assert!(note(&operations[0]).starts_with("dynamic SQL"));
    assert_eq!(Classification::of(operations).compat, Unknown);
}

#[test]
fn statements_sqlparser_cannot_parse_are_read_by_their_keywords() {
    let table: &[(&str, OpKind, &str, Compat)] = &[
        (
            "ALTER SEQUENCE IF EXISTS app.invoice_no OWNED BY invoices.no",
            OpKind::AlterSequence,
            "app.invoice_no",
            Expand,
        ),
        (
            "ALTER SEQUENCE invoice_no RESTART WITH 1000",
            OpKind::AlterSequence,
            "invoice_no",
            Expand,
        ),
        (
            "ALTER SEQUENCE invoice_no RENAME TO invoice_number",
            OpKind::AlterSequence,
            "invoice_no",
            Contract,
        ),
        (
            "CREATE PROCEDURE app.archive() LANGUAGE sql AS $$ DELETE FROM logs $$",
            OpKind::CreateRoutine,
            "app.archive",
            Expand,
        ),
        (
            "CREATE OR REPLACE PROCEDURE archive() LANGUAGE sql AS $$ SELECT 1 $$",
            OpKind::ReplaceRoutine,
            "archive",
            Unknown,
        ),
        ("PRAGMA foreign_keys = OFF", OpKind::Session, "", Expand),
    ];
    for (text, op, table, compat) in table {
        assert_eq!(
            rows(&[only(text)]),
            vec![row(*op, table, "", *compat)],
            "{text}"
        );
    }
}

#[test]
fn a_statement_of_another_dialect_is_read_in_that_dialect() {
    // The DO block fails every dialect, so the file is read statement by
    // statement; the MySQL MODIFY is then read by MySQL.
    let text =
        "DO $$ BEGIN PERFORM 1; END $$;\nALTER TABLE users MODIFY email varchar(320) NOT NULL;\n";
    assert_eq!(
        rows(&read(text)),
        vec![
            row(OpKind::RunCode, "", "", Unknown),
            row(OpKind::AlterColumnType, "users", "email", Contract),
        ]
    );
}

#[test]
fn mysql_delimiter_blocks_are_not_understood() {
    let text = "DELIMITER //\nCREATE PROCEDURE p() BEGIN DELETE FROM t; END //\nDELIMITER ;\n";
    let classification = Classification::of(read(text));
    assert!(classification.compat >= Unknown, "{classification:?}");
    assert!(
        classification
            .operations
            .iter()
            .any(|o| o.op == OpKind::NotUnderstood && note(o).starts_with("parse error"))
    );
}

const STATEMENTS: &[&str] = &[
    "CREATE TABLE pets (id bigserial PRIMARY KEY, name text NOT NULL DEFAULT '')",
    "ALTER TABLE pets ADD COLUMN age int NOT NULL",
    "ALTER TABLE `pets` MODIFY `name` varchar(20)",
    "CREATE INDEX CONCURRENTLY pets_name ON pets (name)",
    "DO $$ BEGIN PERFORM 1; END $$",
    "CREATE OR REPLACE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql",
    "INSERT INTO pets (name) VALUES ('it''s')",
    "ALTER TYPE mood ADD VALUE 'happy'",
    "-- +goose Up",
    "-- +goose Down",
    "PRAGMA foreign_keys=OFF",
    "DROP TABLE pets",
];

proptest! {
    #![proptest_config(config())]

    #[test]
    fn any_text_reads_without_panicking(text in any::<String>()) {
        let _ = read(&text);
    }

    #[test]
    fn sql_like_text_reads_without_panicking(text in "[a-zA-Z0-9_ ;(),.'\"`$*=\n-]{0,300}") {
        let _ = read(&text);
    }

    /// Real statements, cut anywhere and with characters swapped, never
    /// panic the reader.
    #[test]
    fn mangled_migrations_read_without_panicking(
        picks in proptest::collection::vec(0..STATEMENTS.len(), 1..8),
        cut in any::<prop::sample::Index>(),
        swaps in proptest::collection::vec((any::<prop::sample::Index>(), any::<char>()), 0..4),
    ) {
        let text: String = picks.iter().map(|&i| format!("{};\n", STATEMENTS[i])).collect();
        let mut chars: Vec<char> = text.chars().collect();
        chars.truncate(cut.index(chars.len() + 1));
        for (at, c) in swaps {
            if !chars.is_empty() {
                let i = at.index(chars.len());
                chars[i] = c;
            }
        }
        let _ = read(&chars.into_iter().collect::<String>());
    }

    /// A statement no dialect knows, among real ones, makes the migration
    /// at least unknown, with the parse error in a NotUnderstood note.
    #[test]
    fn malformed_statements_are_unknown_with_the_parse_error(
        picks in proptest::collection::vec(0..STATEMENTS.len(), 0..6),
        at in any::<prop::sample::Index>(),
        junk in "zz[a-z]{1,8}( [a-z]{1,8}){0,3}",
    ) {
        let mut statements: Vec<&str> = picks
            .iter()
            .map(|&i| STATEMENTS[i])
            .filter(|s| !s.starts_with("--"))
            .collect();
        statements.insert(at.index(statements.len() + 1), &junk);
        let text: String = statements.iter().map(|s| format!("{s};\n")).collect();
        let classification = Classification::of(read(&text));
        prop_assert!(classification.compat >= Unknown, "{classification:?}");
        prop_assert!(classification.operations.iter().any(|o| {
            o.op == OpKind::NotUnderstood
                && o.compat == Unknown
                && note(o).starts_with("parse error: ")
                && note(o).contains("zz")
        }), "{classification:?}");
    }
}
