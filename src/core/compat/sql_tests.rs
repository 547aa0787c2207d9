//! The SQL reader's statement classes, one statement at a time and in
//! whole PostgreSQL, MySQL and SQLite migration files.

use super::read;
pub(super) use crate::core::compat::test_support::{note, row, rows};
use crate::core::compat::{Classification, Compat, OpKind, Operation};
use Compat::{Contract, Expand, Unknown};

pub(super) fn only(text: &str) -> Operation {
    let mut operations = read(text);
    assert_eq!(operations.len(), 1, "{text}: {operations:?}");
    operations.remove(0)
}

#[test]
fn each_statement_has_its_class() {
    use OpKind::*;
    #[rustfmt::skip]
    let table: &[(&str, OpKind, &str, &str, Compat)] = &[
        // Tables.
        ("CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL)", CreateTable, "users", "", Expand),
        ("CREATE TABLE IF NOT EXISTS app.users (id int)", CreateTable, "app.users", "", Expand),
        ("CREATE TABLE users_copy AS SELECT * FROM users", CreateTable, "users_copy", "", Expand),
        ("DROP TABLE users", DropTable, "users", "", Contract),
        ("ALTER TABLE users RENAME TO members", RenameTable, "users", "", Contract),
        ("RENAME TABLE users TO members", RenameTable, "users", "", Contract),
        ("TRUNCATE users", Truncate, "users", "", Contract),
        // Columns.
        ("ALTER TABLE users ADD COLUMN bio text", AddColumn, "users", "bio", Expand),
        ("ALTER TABLE users ADD COLUMN age int NOT NULL DEFAULT 0", AddColumn, "users", "age", Expand),
        ("ALTER TABLE users ADD COLUMN age int NOT NULL", AddColumn, "users", "age", Contract),
        ("ALTER TABLE users ADD COLUMN handle text UNIQUE", AddColumn, "users", "handle", Contract),
        ("ALTER TABLE users ADD COLUMN uid int PRIMARY KEY", AddColumn, "users", "uid", Contract),
        ("ALTER TABLE users ADD COLUMN org_id int REFERENCES orgs(id)", AddColumn, "users", "org_id", Expand),
        ("ALTER TABLE users ADD COLUMN n int CHECK (n > 0)", AddColumn, "users", "n", Contract),
        ("ALTER TABLE users ADD COLUMN full_name text GENERATED ALWAYS AS (first || last) STORED", AddColumn, "users", "full_name", Expand),
        ("ALTER TABLE users ADD COLUMN seq serial NOT NULL", AddColumn, "users", "seq", Expand),
        ("ALTER TABLE users DROP COLUMN bio", DropColumn, "users", "bio", Contract),
        ("ALTER TABLE users RENAME COLUMN bio TO about", RenameColumn, "users", "bio", Contract),
        ("ALTER TABLE users ALTER COLUMN bio SET NOT NULL", SetNotNull, "users", "bio", Contract),
        ("ALTER TABLE users ALTER COLUMN bio DROP NOT NULL", DropNotNull, "users", "bio", Expand),
        ("ALTER TABLE users ALTER COLUMN n SET DEFAULT 0", SetDefault, "users", "n", Expand),
        ("ALTER TABLE users ALTER COLUMN n DROP DEFAULT", DropDefault, "users", "n", Contract),
        ("ALTER TABLE users ALTER COLUMN n TYPE bigint", AlterColumnType, "users", "n", Contract),
        ("ALTER TABLE users ALTER COLUMN n SET DATA TYPE bigint USING n::bigint", AlterColumnType, "users", "n", Contract),
        ("ALTER TABLE users ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY", SetDefault, "users", "id", Expand),
        // Constraints.
        ("ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email)", AddUnique, "users", "email", Contract),
        ("ALTER TABLE users ADD CONSTRAINT users_pkey PRIMARY KEY (id)", AddPrimaryKey, "users", "id", Contract),
        ("ALTER TABLE users ADD CONSTRAINT users_age CHECK (age >= 0)", AddCheck, "users", "", Contract),
        ("ALTER TABLE users ADD CONSTRAINT users_org_fk FOREIGN KEY (org_id) REFERENCES orgs (id)", AddForeignKey, "users", "org_id", Expand),
        ("ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email_idx", AddUnique, "users", "", Expand),
        ("ALTER TABLE users DROP CONSTRAINT users_email_key", DropConstraint, "users", "", Expand),
        ("ALTER TABLE users VALIDATE CONSTRAINT users_org_fk", NoSchemaChange, "users", "", Expand),
        // Indexes.
        ("CREATE INDEX users_email_idx ON users (email)", CreateIndex, "users", "email", Expand),
        ("CREATE INDEX CONCURRENTLY users_email_idx ON users (email)", CreateIndex, "users", "email", Expand),
        ("CREATE INDEX users_lower_email ON users (lower(email))", CreateIndex, "users", "", Expand),
        ("CREATE UNIQUE INDEX users_email_key ON users (email)", AddUnique, "users", "email", Contract),
        ("DROP INDEX users_email_idx", DropIndex, "users_email_idx", "", Expand),
        ("ALTER INDEX users_email_idx RENAME TO users_mail_idx", RenameIndex, "users_email_idx", "", Expand),
        // Rows.
        ("INSERT INTO plans (name) VALUES ('free')", InsertRows, "plans", "", Expand),
        ("UPDATE users SET plan = 'free' WHERE plan IS NULL", UpdateRows, "users", "", Expand),
        ("DELETE FROM sessions WHERE expired", DeleteRows, "sessions", "", Contract),
        // Views, routines, types, sequences, extensions, schemas.
        ("CREATE VIEW active_users AS SELECT * FROM users WHERE active", CreateView, "active_users", "", Expand),
        ("CREATE MATERIALIZED VIEW user_counts AS SELECT count(*) FROM users", CreateView, "user_counts", "", Expand),
        ("CREATE OR REPLACE VIEW active_users AS SELECT id FROM users", ReplaceView, "active_users", "", Unknown),
        ("DROP VIEW active_users", DropView, "active_users", "", Contract),
        ("CREATE FUNCTION touch() RETURNS trigger AS $$ BEGIN NEW.updated_at = now(); RETURN NEW; END; $$ LANGUAGE plpgsql", CreateRoutine, "touch", "", Expand),
        ("CREATE OR REPLACE FUNCTION touch() RETURNS trigger AS $$ BEGIN RETURN NEW; END; $$ LANGUAGE plpgsql", ReplaceRoutine, "touch", "", Unknown),
        ("CREATE TRIGGER users_touch BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION touch()", CreateRoutine, "users_touch", "", Expand),
        ("DROP FUNCTION touch()", DropRoutine, "touch", "", Contract),
        ("DROP TRIGGER users_touch ON users", DropRoutine, "users_touch", "", Contract),
        ("CREATE TYPE mood AS ENUM ('sad', 'ok')", CreateType, "mood", "", Expand),
        ("CREATE DOMAIN email AS text CHECK (VALUE LIKE '%@%')", CreateType, "email", "", Expand),
        ("ALTER TYPE mood ADD VALUE 'happy'", AlterType, "mood", "", Expand),
        ("ALTER TYPE mood ADD VALUE IF NOT EXISTS 'happy' AFTER 'ok'", AlterType, "mood", "", Expand),
        ("ALTER TYPE mood RENAME VALUE 'sad' TO 'blue'", AlterType, "mood", "", Contract),
        ("ALTER TYPE mood RENAME TO feeling", AlterType, "mood", "", Contract),
        ("DROP TYPE mood", DropType, "mood", "", Contract),
        ("CREATE SEQUENCE invoice_no START 1000", CreateSequence, "invoice_no", "", Expand),
        ("DROP SEQUENCE invoice_no", DropSequence, "invoice_no", "", Contract),
        ("CREATE EXTENSION IF NOT EXISTS \"uuid-ossp\"", CreateExtension, "uuid-ossp", "", Expand),
        ("DROP EXTENSION pg_trgm", DropExtension, "pg_trgm", "", Contract),
        ("CREATE SCHEMA billing", CreateSchema, "billing", "", Expand),
        ("DROP SCHEMA billing CASCADE", DropSchema, "billing", "", Contract),
        // Comments, privileges, session.
        ("COMMENT ON TABLE users IS 'people'", Comment, "users", "", Expand),
        ("COMMENT ON COLUMN public.users.email IS 'login'", Comment, "public.users", "email", Expand),
        ("GRANT SELECT ON users TO reporting", Grant, "users", "", Expand),
        ("REVOKE INSERT ON users FROM app", Grant, "users", "", Contract),
        ("SET statement_timeout = 0", Session, "", "", Expand),
        ("SET search_path TO public", Session, "", "", Expand),
        ("RESET lock_timeout", Session, "", "", Expand),
        // Code the text does not show.
        ("EXECUTE purge_plan(1)", RunCode, "", "", Unknown),
        ("CALL archive_users()", RunCode, "archive_users", "", Unknown),
        // Statements no class fits.
        ("CREATE POLICY own_rows ON users USING (owner = current_user)", NotUnderstood, "", "", Unknown),
        ("ALTER TABLE users ENABLE ROW LEVEL SECURITY", NotUnderstood, "users", "", Unknown),
        ("SELECT setval('users_id_seq', 100)", NotUnderstood, "", "", Unknown),
    ];
    for (text, op, table, column, compat) in table {
        assert_eq!(
            rows(&read(text)),
            vec![row(*op, table, column, *compat)],
            "{text}"
        );
    }
}

#[test]
fn traps_say_why_in_the_note() {
    #[rustfmt::skip]
    let table: &[(&str, &str)] = &[
        ("ALTER TABLE users ADD COLUMN age int NOT NULL", "NOT NULL without a database default: old inserts that omit it fail"),
        ("ALTER TABLE users ADD COLUMN handle text UNIQUE", "old writes may violate it"),
        ("CREATE INDEX users_email_idx ON users (email)", "locks writes while it builds"),
        ("CREATE UNIQUE INDEX users_email_key ON users (email)", "old writes may violate it; locks writes while it builds"),
        ("ALTER TABLE users ADD CONSTRAINT f FOREIGN KEY (org_id) REFERENCES orgs (id)", "old writes must reference existing rows"),
        ("ALTER TABLE users ALTER COLUMN bio SET NOT NULL", "old writes that leave it null fail"),
        ("ALTER TABLE users ALTER COLUMN n DROP DEFAULT", "old writes that omit the column may fail"),
        ("ALTER TABLE users RENAME COLUMN bio TO about", "renamed to about"),
        ("ALTER TABLE users RENAME TO members", "renamed to members"),
        ("ALTER TYPE mood ADD VALUE 'happy'", "adds enum value happy"),
        ("ALTER TYPE mood RENAME VALUE 'sad' TO 'blue'", "renames enum value sad to blue: old code that writes it fails"),
        ("CREATE OR REPLACE VIEW v AS SELECT 1", "old code may read columns it changes"),
        ("REVOKE INSERT ON users FROM app", "revokes privileges old code may use"),
        ("EXECUTE purge_plan(1)", "dynamic SQL"),
        ("CREATE POLICY own_rows ON users USING (true)", "statement not classified: CREATE POLICY"),
        ("ALTER TABLE users ENABLE ROW LEVEL SECURITY", "statement not classified: ALTER TABLE ENABLE ROW LEVEL SECURITY"),
        ("SELECT 1", "statement not classified: SELECT"),
    ];
    for (text, expected) in table {
        let operation = only(text);
        assert!(note(&operation).contains(expected), "{text}: {operation:?}");
    }
}

#[test]
fn an_index_built_concurrently_has_no_lock_note() {
    let plain = only("CREATE INDEX users_email_idx ON users (email);");
    assert_eq!(plain.note.as_deref(), Some("locks writes while it builds"));
    let concurrent = only(
        "CREATE INDEX CONCURRENTLY IF NOT EXISTS users_email_idx ON users USING btree (email);",
    );
    assert_eq!(concurrent.note, None);
    assert_eq!(concurrent.compat, Expand);
    let unique = only("CREATE UNIQUE INDEX CONCURRENTLY users_email_key ON users (email);");
    assert_eq!((unique.op, unique.compat), (OpKind::AddUnique, Contract));
    assert_eq!(note(&unique), "old writes may violate it");
    // sqlparser does not parse DROP INDEX CONCURRENTLY: read without the word.
    let dropped = only("DROP INDEX CONCURRENTLY IF EXISTS public.users_email_idx;");
    assert_eq!(
        rows(&[dropped]),
        vec![row(OpKind::DropIndex, "public.users_email_idx", "", Expand)]
    );
}

#[test]
fn a_not_null_column_needs_a_database_default() {
    #[rustfmt::skip]
    let table: &[(&str, Compat)] = &[
        ("ALTER TABLE t ADD COLUMN c int NOT NULL", Contract),
        ("ALTER TABLE t ADD COLUMN c int NOT NULL DEFAULT 0", Expand),
        ("ALTER TABLE t ADD COLUMN c int DEFAULT 0 NOT NULL", Expand),
        ("ALTER TABLE t ADD COLUMN c timestamptz NOT NULL DEFAULT now()", Expand),
        ("ALTER TABLE t ADD COLUMN c int NULL", Expand),
        ("ALTER TABLE t ADD COLUMN c int", Expand),
        ("ALTER TABLE t ADD COLUMN c bigserial NOT NULL", Expand),
        ("ALTER TABLE t ADD COLUMN c int GENERATED BY DEFAULT AS IDENTITY NOT NULL", Expand),
        ("ALTER TABLE `t` ADD COLUMN `c` INT NOT NULL AUTO_INCREMENT", Expand),
        ("ALTER TABLE t ADD c varchar(20) NOT NULL", Contract),
    ];
    for (text, compat) in table {
        assert_eq!(only(text).compat, *compat, "{text}");
    }
}

#[test]
fn a_postgresql_migration() {
    use OpKind::*;
    let text = r#"
-- V12__billing.sql
SET lock_timeout = '5s';
BEGIN;
CREATE TYPE "billing"."plan" AS ENUM ('free', 'pro');
ALTER TYPE billing.plan ADD VALUE 'team' BEFORE 'pro';
CREATE TABLE billing.invoices (
    id bigserial PRIMARY KEY,
    user_id bigint NOT NULL REFERENCES users (id),
    total numeric(10, 2) NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE ONLY users
    ADD COLUMN plan billing.plan,
    ADD COLUMN "trialEndsAt" timestamptz NOT NULL,
    DROP COLUMN legacy_plan;
CREATE INDEX CONCURRENTLY invoices_user_idx ON billing.invoices (user_id);
UPDATE users SET plan = 'free';
COMMENT ON TABLE billing.invoices IS 'one a month';
CREATE OR REPLACE FUNCTION billing.total(uid bigint) RETURNS numeric
    LANGUAGE sql AS $$ SELECT sum(total) FROM billing.invoices WHERE user_id = uid; $$;
GRANT SELECT ON billing.invoices TO reporting;
COMMIT;
"#;
    assert_eq!(
        rows(&read(text)),
        vec![
            row(Session, "", "", Expand),
            row(CreateType, "billing.plan", "", Expand),
            row(AlterType, "billing.plan", "", Expand),
            row(CreateTable, "billing.invoices", "", Expand),
            row(AddColumn, "users", "plan", Expand),
            row(AddColumn, "users", "trialEndsAt", Contract),
            row(DropColumn, "users", "legacy_plan", Contract),
            row(CreateIndex, "billing.invoices", "user_id", Expand),
            row(UpdateRows, "users", "", Expand),
            row(Comment, "billing.invoices", "", Expand),
            row(ReplaceRoutine, "billing.total", "", Unknown),
            row(Grant, "billing.invoices", "", Expand),
        ]
    );
    assert_eq!(Classification::of(read(text)).compat, Contract);
}

#[test]
fn a_mysql_migration() {
    use OpKind::*;
    let text = r#"
/* 2024_05_01_add_profiles.sql */
SET FOREIGN_KEY_CHECKS = 0;
CREATE TABLE `profiles` (
  `id` int unsigned NOT NULL AUTO_INCREMENT,
  `user_id` int unsigned NOT NULL,
  `bio` text,
  PRIMARY KEY (`id`),
  KEY `profiles_user_id` (`user_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
ALTER TABLE `users`
  MODIFY COLUMN `email` varchar(320) NOT NULL,
  CHANGE COLUMN `name` `full_name` varchar(200) DEFAULT NULL,
  ADD COLUMN `age` int NOT NULL DEFAULT 0 AFTER `email`,
  ADD INDEX `users_age` (`age`),
  ADD UNIQUE KEY `users_email` (`email`),
  DROP FOREIGN KEY `users_org_fk`,
  ALGORITHM=INPLACE, LOCK=NONE;
ALTER TABLE `users` CHANGE `age` `age` bigint NOT NULL DEFAULT 0;
DROP INDEX `users_old` ON `users`;
RENAME TABLE `old_logs` TO `logs_archive`;
INSERT INTO `settings` (`k`, `v`) VALUES ('theme', 'dark'), ('lang', 'en');
DELETE FROM `settings` WHERE `k` = 'legacy';
SET FOREIGN_KEY_CHECKS = 1;
"#;
    assert_eq!(
        rows(&read(text)),
        vec![
            row(Session, "", "", Expand),
            row(CreateTable, "profiles", "", Expand),
            row(AlterColumnType, "users", "email", Contract),
            row(RenameColumn, "users", "name", Contract),
            row(AddColumn, "users", "age", Expand),
            row(CreateIndex, "users", "age", Expand),
            row(AddUnique, "users", "email", Contract),
            row(DropConstraint, "users", "", Expand),
            row(AlterColumnType, "users", "age", Contract),
            row(DropIndex, "users_old", "", Expand),
            row(RenameTable, "old_logs", "", Contract),
            row(InsertRows, "settings", "", Expand),
            row(DeleteRows, "settings", "", Contract),
            row(Session, "", "", Expand),
        ]
    );
    let modify = read(text).remove(2);
    assert!(
        note(&modify).contains("MODIFY restates the column"),
        "{modify:?}"
    );
}

#[test]
fn a_sqlite_migration() {
    use OpKind::*;
    // SQLite cannot drop a column in place: the table is rebuilt.
    let text = r#"
PRAGMA foreign_keys=OFF;
BEGIN TRANSACTION;
CREATE TABLE "new_tasks" ("id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, "title" TEXT NOT NULL);
INSERT INTO "new_tasks" ("id", "title") SELECT "id", "title" FROM "tasks";
DROP TABLE "tasks";
ALTER TABLE "new_tasks" RENAME TO "tasks";
CREATE UNIQUE INDEX IF NOT EXISTS "tasks_title" ON "tasks" ("title");
ALTER TABLE "tasks" ADD COLUMN "done" BOOLEAN NOT NULL DEFAULT 0;
ALTER TABLE "tasks" RENAME COLUMN "title" TO "name";
COMMIT;
PRAGMA foreign_keys=ON;
"#;
    assert_eq!(
        rows(&read(text)),
        vec![
            row(Session, "", "", Expand),
            row(CreateTable, "new_tasks", "", Expand),
            row(InsertRows, "new_tasks", "", Expand),
            row(DropTable, "tasks", "", Contract),
            row(RenameTable, "new_tasks", "", Contract),
            row(AddUnique, "tasks", "title", Contract),
            row(AddColumn, "tasks", "done", Expand),
            row(RenameColumn, "tasks", "title", Contract),
            row(Session, "", "", Expand),
        ]
    );
}

#[test]
fn transactions_and_comments_are_no_operation() {
    assert_eq!(read(""), vec![]);
    assert_eq!(read("-- nothing to do\n/* really */\n"), vec![]);
    assert_eq!(read("BEGIN; COMMIT;"), vec![]);
    assert_eq!(read("START TRANSACTION; ROLLBACK;"), vec![]);
    assert_eq!(Classification::of(read("BEGIN;\nCOMMIT;")).compat, Expand);
}

#[test]
fn names_are_unquoted_and_keep_their_schema() {
    assert_eq!(
        rows(&read(
            r#"ALTER TABLE "Public"."Users" ADD COLUMN "Nick Name" text;"#
        )),
        vec![row(OpKind::AddColumn, "Public.Users", "Nick Name", Expand)]
    );
    assert_eq!(
        rows(&read("ALTER TABLE `shop`.`orders` DROP COLUMN `note`;")),
        vec![row(OpKind::DropColumn, "shop.orders", "note", Contract)]
    );
}
