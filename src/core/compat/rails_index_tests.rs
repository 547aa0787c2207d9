//! The Rails reader's indexes, constraints, extensions, enum types, views
//! and the SQL it hands `execute`.

use super::read;
use super::tests::{change, is, noted, one, unnoted};
use crate::core::compat::{Compat, OpKind};

#[test]
fn add_index_locks_writes_unless_built_concurrently() {
    let op = one("    add_index :users, :email");
    is(
        &op,
        OpKind::CreateIndex,
        Some("users"),
        Some("email"),
        Compat::Expand,
    );
    noted(&op, "locks writes while it builds");

    let op = one("    add_index :documents, :download_id, algorithm: :concurrently");
    is(
        &op,
        OpKind::CreateIndex,
        Some("documents"),
        Some("download_id"),
        Compat::Expand,
    );
    unnoted(&op);

    let op = one(
        "    add_index :users, [:account_id, :created_at], name: 'idx', where: 'deleted_at IS NULL'",
    );
    is(
        &op,
        OpKind::CreateIndex,
        Some("users"),
        Some("account_id, created_at"),
        Compat::Expand,
    );
    noted(&op, "locks writes while it builds");

    let op =
        one("    add_index :users, \"lower(email)\", using: :btree, algorithm: 'concurrently'");
    is(
        &op,
        OpKind::CreateIndex,
        Some("users"),
        Some("lower(email)"),
        Compat::Expand,
    );
    unnoted(&op);
}

#[test]
fn add_index_unique_is_contract_concurrently_or_not() {
    for body in [
        "    add_index :users, :email, unique: true",
        "    add_index :users, :email, unique: true, algorithm: :concurrently",
        "    add_index :users, %i[email], :unique => true",
    ] {
        let op = one(body);
        is(
            &op,
            OpKind::AddUnique,
            Some("users"),
            Some("email"),
            Compat::Contract,
        );
        noted(&op, "old writes may violate it");
    }
    let op = one("    add_index :users, :email, unique: false");
    is(
        &op,
        OpKind::CreateIndex,
        Some("users"),
        Some("email"),
        Compat::Expand,
    );
    let op = one("    add_index :users, :email, unique: UNIQUE");
    is(
        &op,
        OpKind::CreateIndex,
        Some("users"),
        Some("email"),
        Compat::Unknown,
    );
}

#[test]
fn dropping_and_renaming_indexes_is_expand() {
    let ops = change(
        r#"    remove_index :users, :email
    remove_index :users, column: [:a, :b], algorithm: :concurrently
    remove_index :users, name: :index_users_on_email
    rename_index :users, 'index_users_on_email', 'index_users_on_login'"#,
    );
    assert_eq!(ops.len(), 4, "{ops:#?}");
    is(
        &ops[0],
        OpKind::DropIndex,
        Some("users"),
        Some("email"),
        Compat::Expand,
    );
    is(
        &ops[1],
        OpKind::DropIndex,
        Some("users"),
        Some("a, b"),
        Compat::Expand,
    );
    is(
        &ops[2],
        OpKind::DropIndex,
        Some("users"),
        None,
        Compat::Expand,
    );
    is(
        &ops[3],
        OpKind::RenameIndex,
        Some("users"),
        None,
        Compat::Expand,
    );
}

#[test]
fn constraints() {
    let ops = change(
        r#"    add_foreign_key :articles, :authors, column: :author_id, on_delete: :cascade, validate: false
    add_foreign_key :comments, :posts
    remove_foreign_key :accounts, :branches
    add_check_constraint :products, "price > 0", name: "price_check"
    remove_check_constraint :products, name: "price_check""#,
    );
    assert_eq!(ops.len(), 5, "{ops:#?}");
    is(
        &ops[0],
        OpKind::AddForeignKey,
        Some("articles"),
        Some("author_id"),
        Compat::Expand,
    );
    noted(&ops[0], "old writes must reference existing rows");
    is(
        &ops[1],
        OpKind::AddForeignKey,
        Some("comments"),
        None,
        Compat::Expand,
    );
    is(
        &ops[2],
        OpKind::DropConstraint,
        Some("accounts"),
        None,
        Compat::Expand,
    );
    is(
        &ops[3],
        OpKind::AddCheck,
        Some("products"),
        None,
        Compat::Contract,
    );
    is(
        &ops[4],
        OpKind::DropConstraint,
        Some("products"),
        None,
        Compat::Expand,
    );
}

#[test]
fn extensions_enums_and_views() {
    let ops = change(
        r#"    enable_extension "pg_trgm"
    disable_extension :hstore
    create_enum :mood, ["happy", "sad"]
    add_enum_value :mood, "neutral", before: "sad"
    rename_enum_value :mood, from: "sad", to: "blue"
    drop_enum :old_mood
    create_view :active_users
    update_view :active_users, version: 2, revert_to_version: 1
    drop_view :stale_users"#,
    );
    use Compat::{Contract, Expand, Unknown};
    let want = [
        (OpKind::CreateExtension, "pg_trgm", Expand),
        (OpKind::DropExtension, "hstore", Contract),
        (OpKind::CreateType, "mood", Expand),
        (OpKind::AlterType, "mood", Expand),
        (OpKind::AlterType, "mood", Contract),
        (OpKind::DropType, "old_mood", Contract),
        (OpKind::CreateView, "active_users", Expand),
        (OpKind::ReplaceView, "active_users", Unknown),
        (OpKind::DropView, "stale_users", Contract),
    ];
    assert_eq!(ops.len(), want.len(), "{ops:#?}");
    for (op, (kind, table, compat)) in ops.iter().zip(want) {
        is(op, kind, Some(table), None, compat);
    }
}

#[test]
fn execute_with_interpolation_or_a_variable_is_dynamic_sql() {
    for body in [
        "    execute \"UPDATE users SET locale = '#{I18n.default_locale}'\"",
        "    execute sql",
        "    execute(format('DROP TABLE %s', table))",
        "    execute <<~SQL\n      UPDATE users SET x = #{value}\n    SQL",
        "    connection.execute(statement)",
    ] {
        let op = one(body);
        is(&op, OpKind::RunCode, None, None, Compat::Unknown);
        noted(&op, "dynamic SQL");
    }
}

#[test]
fn execute_literal_sql_goes_to_the_sql_reader() {
    for body in [
        "    execute \"ALTER TABLE users DROP COLUMN legacy\"",
        "    execute 'ALTER TABLE users DROP COLUMN legacy'",
        "    execute(\"ALTER TABLE users \" \\\n      \"DROP COLUMN legacy\")",
        "    execute <<~SQL\n      ALTER TABLE users DROP COLUMN legacy;\n    SQL",
        "    execute <<~'SQL'.squish\n      ALTER TABLE users DROP COLUMN legacy\n    SQL",
        "    execute <<-SQL.strip_heredoc\n      ALTER TABLE users\n        DROP COLUMN legacy\n    SQL",
        "    ActiveRecord::Base.connection.execute('ALTER TABLE users DROP COLUMN legacy')",
        "    sql = 'ALTER TABLE users DROP COLUMN legacy'\n    execute sql",
        "    reversible do |dir|\n      dir.up { execute <<~SQL }\n        ALTER TABLE users DROP COLUMN legacy\n      SQL\n    end",
    ] {
        let op = one(body);
        is(
            &op,
            OpKind::DropColumn,
            Some("users"),
            Some("legacy"),
            Compat::Contract,
        );
    }
}

#[test]
fn execute_heredocs_are_read_in_order() {
    let ops = read(
        r#"# frozen_string_literal: true

class AddUniqueIndexToBuildConfigs < ActiveRecord::Migration[5.2]
  disable_ddl_transaction!

  def up
    add_column :build_configs, :com_id, :bigint
    execute "CREATE UNIQUE INDEX CONCURRENTLY index_build_configs_on_com_id ON build_configs (com_id)"
    execute <<~SQL
      CREATE INDEX CONCURRENTLY index_build_configs_on_kind ON build_configs (kind);
    SQL
  end

  def down
    execute "DROP INDEX index_build_configs_on_com_id"
  end
end
"#,
    );
    assert_eq!(ops.len(), 3, "{ops:#?}");
    is(
        &ops[0],
        OpKind::AddColumn,
        Some("build_configs"),
        Some("com_id"),
        Compat::Expand,
    );
    assert_eq!(
        (ops[1].op, ops[1].compat),
        (OpKind::AddUnique, Compat::Contract)
    );
    assert_eq!(
        (ops[2].op, ops[2].compat),
        (OpKind::CreateIndex, Compat::Expand)
    );
    unnoted(&ops[2]);
}
