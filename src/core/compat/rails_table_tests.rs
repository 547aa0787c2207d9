//! The Rails reader's tables: `create_table`, `drop_table`, `change_table`,
//! and the columns `add_reference` and `add_timestamps` add by Rails' own
//! defaults (an index, NOT NULL).

use super::read;
use super::tests::{change, is, noted, one, unnoted};
use crate::core::compat::{Compat, OpKind};

#[test]
fn add_reference_defaults_to_an_index_that_locks() {
    let ops = change("    add_reference :appointments, :patient");
    assert_eq!(ops.len(), 2, "{ops:#?}");
    is(
        &ops[0],
        OpKind::AddColumn,
        Some("appointments"),
        Some("patient_id"),
        Compat::Expand,
    );
    is(
        &ops[1],
        OpKind::CreateIndex,
        Some("appointments"),
        Some("patient_id"),
        Compat::Expand,
    );
    noted(&ops[1], "locks writes while it builds");
    // belongs_to is the same method.
    assert_eq!(change("    add_belongs_to :appointments, :patient"), ops);
}

#[test]
fn add_reference_options() {
    let ops = change(
        "    add_reference :publishing_delays, :account, null: false, foreign_key: { on_delete: :cascade }, index: { algorithm: :concurrently }",
    );
    assert_eq!(ops.len(), 3, "{ops:#?}");
    is(
        &ops[0],
        OpKind::AddColumn,
        Some("publishing_delays"),
        Some("account_id"),
        Compat::Contract,
    );
    noted(&ops[0], "NOT NULL without a database default");
    is(
        &ops[1],
        OpKind::CreateIndex,
        Some("publishing_delays"),
        Some("account_id"),
        Compat::Expand,
    );
    unnoted(&ops[1]);
    is(
        &ops[2],
        OpKind::AddForeignKey,
        Some("publishing_delays"),
        Some("account_id"),
        Compat::Expand,
    );
    noted(&ops[2], "old writes must reference existing rows");

    let ops = change("    add_reference :users, :profile, index: { unique: true }, null: true");
    assert_eq!(ops.len(), 2, "{ops:#?}");
    is(
        &ops[1],
        OpKind::AddUnique,
        Some("users"),
        Some("profile_id"),
        Compat::Contract,
    );

    let ops =
        change("    add_reference :users, :team, index: false, foreign_key: true, type: :uuid");
    assert_eq!(ops.len(), 2, "{ops:#?}");
    is(
        &ops[0],
        OpKind::AddColumn,
        Some("users"),
        Some("team_id"),
        Compat::Expand,
    );
    is(
        &ops[1],
        OpKind::AddForeignKey,
        Some("users"),
        Some("team_id"),
        Compat::Expand,
    );

    let ops = change("    add_reference :comments, :commentable, polymorphic: true, index: true");
    assert_eq!(ops.len(), 3, "{ops:#?}");
    is(
        &ops[0],
        OpKind::AddColumn,
        Some("comments"),
        Some("commentable_id"),
        Compat::Expand,
    );
    is(
        &ops[1],
        OpKind::AddColumn,
        Some("comments"),
        Some("commentable_type"),
        Compat::Expand,
    );
    is(
        &ops[2],
        OpKind::CreateIndex,
        Some("comments"),
        Some("commentable_type, commentable_id"),
        Compat::Expand,
    );

    let ops = change("    add_reference :users, :org, null: false, default: 1, index: false");
    assert_eq!(ops.len(), 1);
    is(
        &ops[0],
        OpKind::AddColumn,
        Some("users"),
        Some("org_id"),
        Compat::Expand,
    );
    noted(&ops[0], "default: is a database default in Rails");
}

#[test]
fn rails_4_references_are_unindexed_and_timestamps_nullable_by_default() {
    let ops = read(
        "class AddOwner < ActiveRecord::Migration[4.2]\n  def change\n    add_reference :projects, :owner\n    add_timestamps :projects\n  end\nend\n",
    );
    assert_eq!(ops.len(), 3, "{ops:#?}");
    is(
        &ops[0],
        OpKind::AddColumn,
        Some("projects"),
        Some("owner_id"),
        Compat::Expand,
    );
    is(
        &ops[1],
        OpKind::AddColumn,
        Some("projects"),
        Some("created_at"),
        Compat::Expand,
    );
    is(
        &ops[2],
        OpKind::AddColumn,
        Some("projects"),
        Some("updated_at"),
        Compat::Expand,
    );
    let bare = read(
        "class AddOwner < ActiveRecord::Migration\n  def change\n    add_timestamps :projects\n  end\nend\n",
    );
    assert!(bare.iter().all(|o| o.compat == Compat::Expand), "{bare:#?}");
}

#[test]
fn remove_reference_drops_its_columns() {
    let ops = change(
        "    remove_reference :users, :team, foreign_key: true, index: true\n    remove_belongs_to :comments, :commentable, polymorphic: true",
    );
    assert_eq!(ops.len(), 3, "{ops:#?}");
    is(
        &ops[0],
        OpKind::DropColumn,
        Some("users"),
        Some("team_id"),
        Compat::Contract,
    );
    is(
        &ops[1],
        OpKind::DropColumn,
        Some("comments"),
        Some("commentable_id"),
        Compat::Contract,
    );
    is(
        &ops[2],
        OpKind::DropColumn,
        Some("comments"),
        Some("commentable_type"),
        Compat::Contract,
    );
}

#[test]
fn add_timestamps_is_not_null_without_default_since_rails_5() {
    let ops = change("    add_timestamps :bookmarks");
    assert_eq!(ops.len(), 2, "{ops:#?}");
    is(
        &ops[0],
        OpKind::AddColumn,
        Some("bookmarks"),
        Some("created_at"),
        Compat::Contract,
    );
    is(
        &ops[1],
        OpKind::AddColumn,
        Some("bookmarks"),
        Some("updated_at"),
        Compat::Contract,
    );
    noted(&ops[0], "NOT NULL by default since Rails 5");

    let ops = change("    add_timestamps :bookmarks, null: false");
    noted(&ops[0], "NOT NULL without a database default");
    assert!(ops.iter().all(|o| o.compat == Compat::Contract));

    for body in [
        "    add_timestamps :bookmarks, null: true",
        "    add_timestamps :bookmarks, default: -> { 'CURRENT_TIMESTAMP' }",
        "    add_timestamps :bookmarks, null: false, default: -> { 'now()' }",
    ] {
        let ops = change(body);
        assert_eq!(ops.len(), 2, "{body}");
        assert!(
            ops.iter().all(|o| o.compat == Compat::Expand),
            "{body}\n{ops:#?}"
        );
    }
}

#[test]
fn remove_timestamps_drops_both_columns() {
    let ops = change("    remove_timestamps :bookmarks, null: true");
    assert_eq!(ops.len(), 2);
    is(
        &ops[0],
        OpKind::DropColumn,
        Some("bookmarks"),
        Some("created_at"),
        Compat::Contract,
    );
    is(
        &ops[1],
        OpKind::DropColumn,
        Some("bookmarks"),
        Some("updated_at"),
        Compat::Contract,
    );
}

#[test]
fn tables() {
    let ops = change(
        r#"    create_table :scheduled_statuses do |t|
      t.belongs_to :account, foreign_key: { on_delete: :cascade }
      t.string :name, null: false
      t.timestamps
    end
    create_join_table :music_artists, :music_records
    create_join_table :users, :groups, table_name: :memberships
    drop_table :issue_milestones
    drop_table :a, :b, if_exists: true
    rename_table :posts, :articles
    drop_join_table :users, :groups"#,
    );
    let want = [
        (OpKind::CreateTable, "scheduled_statuses", Compat::Expand),
        (OpKind::CreateTable, "music_artists_records", Compat::Expand),
        (OpKind::CreateTable, "memberships", Compat::Expand),
        (OpKind::DropTable, "issue_milestones", Compat::Contract),
        (OpKind::DropTable, "a", Compat::Contract),
        (OpKind::DropTable, "b", Compat::Contract),
        (OpKind::RenameTable, "posts", Compat::Contract),
        (OpKind::DropTable, "groups_users", Compat::Contract),
    ];
    assert_eq!(ops.len(), want.len(), "{ops:#?}");
    for (op, (kind, table, compat)) in ops.iter().zip(want) {
        is(op, kind, Some(table), None, compat);
    }
}

#[test]
fn create_table_with_force_drops_the_table_first() {
    let op = one("    create_table :users, force: :cascade do |t|\n      t.string :name\n    end");
    is(
        &op,
        OpKind::CreateTable,
        Some("users"),
        None,
        Compat::Contract,
    );
    noted(&op, "force: drops the table first");
}

#[test]
fn change_table_methods() {
    let ops = change(
        r#"    change_table :accounts, bulk: true do |t|
      t.string :locale, :theme, null: false, default: 'en'
      t.integer :rank, null: false
      t.column :bio, :text
      t.references :team, foreign_key: true, index: false
      t.belongs_to :owner, index: { unique: true }
      t.remove :legacy, :older
      t.remove_references :group
      t.rename :name, :full_name
      t.change :age, :bigint
      t.index :email, unique: true
      t.index [:a, :b], algorithm: :concurrently
      t.remove_index :email
      t.rename_index :old_index, :new_index
      t.timestamps null: true
      t.remove_timestamps
      t.change_default :theme, from: 'en', to: nil
      t.change_null :rank, false, 0
      t.foreign_key :users
      t.remove_foreign_key :users
      t.check_constraint 'rank > 0'
      t.remove_check_constraint name: 'rank_positive'
    end"#,
    );
    use Compat::{Contract, Expand};
    let want: Vec<(OpKind, Option<&str>, Compat)> = vec![
        (OpKind::AddColumn, Some("locale"), Expand),
        (OpKind::AddColumn, Some("theme"), Expand),
        (OpKind::AddColumn, Some("rank"), Contract),
        (OpKind::AddColumn, Some("bio"), Expand),
        (OpKind::AddColumn, Some("team_id"), Expand),
        (OpKind::AddForeignKey, Some("team_id"), Expand),
        (OpKind::AddColumn, Some("owner_id"), Expand),
        (OpKind::AddUnique, Some("owner_id"), Contract),
        (OpKind::DropColumn, Some("legacy"), Contract),
        (OpKind::DropColumn, Some("older"), Contract),
        (OpKind::DropColumn, Some("group_id"), Contract),
        (OpKind::RenameColumn, Some("name"), Contract),
        (OpKind::AlterColumnType, Some("age"), Contract),
        (OpKind::AddUnique, Some("email"), Contract),
        (OpKind::CreateIndex, Some("a, b"), Expand),
        (OpKind::DropIndex, Some("email"), Expand),
        (OpKind::RenameIndex, None, Expand),
        (OpKind::AddColumn, Some("created_at"), Expand),
        (OpKind::AddColumn, Some("updated_at"), Expand),
        (OpKind::DropColumn, Some("created_at"), Contract),
        (OpKind::DropColumn, Some("updated_at"), Contract),
        (OpKind::DropDefault, Some("theme"), Contract),
        (OpKind::SetNotNull, Some("rank"), Contract),
        (OpKind::AddForeignKey, None, Expand),
        (OpKind::DropConstraint, None, Expand),
        (OpKind::AddCheck, None, Contract),
        (OpKind::DropConstraint, None, Expand),
    ];
    assert_eq!(ops.len(), want.len(), "{ops:#?}");
    for (op, (kind, column, compat)) in ops.iter().zip(want) {
        is(op, kind, Some("accounts"), column, compat);
    }
    noted(&ops[0], "default: is a database default in Rails");
    noted(&ops[2], "NOT NULL without a database default");
    noted(&ops[22], "fills existing NULLs");
}

#[test]
fn change_table_timestamps_default_to_not_null() {
    let ops = change("    change_table(:accounts) { |t| t.timestamps }");
    assert_eq!(ops.len(), 2);
    is(
        &ops[0],
        OpKind::AddColumn,
        Some("accounts"),
        Some("created_at"),
        Compat::Contract,
    );
    noted(&ops[0], "NOT NULL by default since Rails 5");
}

#[test]
fn change_table_code_is_unknown() {
    let ops = change(
        "    change_table :accounts do |t|\n      t.st_point :location\n      Account.reset_column_information\n    end",
    );
    assert_eq!(ops.len(), 2, "{ops:#?}");
    assert!(
        ops.iter()
            .all(|o| o.op == OpKind::RunCode && o.compat == Compat::Unknown)
    );
}
