//! The Rails reader's shapes: `change` against `up`/`down`, the blocks it
//! looks inside, code it leaves unknown; plus the helpers the other Rails
//! test files share.

use super::read;
pub(super) use crate::core::compat::test_support::is;
use crate::core::compat::{Classification, Compat, OpKind, Operation};

/// The operations of a `change` method holding `body`.
pub(super) fn change(body: &str) -> Vec<Operation> {
    read(&format!(
        "# frozen_string_literal: true\n\nclass Example < ActiveRecord::Migration[7.1]\n  def change\n{body}\n  end\nend\n"
    ))
}

/// The one operation of a `change` method holding `body`.
pub(super) fn one(body: &str) -> Operation {
    let ops = change(body);
    assert_eq!(ops.len(), 1, "{body}\n{ops:#?}");
    ops.into_iter().next().expect("one operation")
}

/// Asserts the note says `why`.
pub(super) fn noted(op: &Operation, why: &str) {
    let note = op.note.as_deref().unwrap_or("");
    assert!(note.contains(why), "note {note:?} should say {why:?}");
}

pub(super) fn unnoted(op: &Operation) {
    assert_eq!(op.note, None, "{op:#?}");
}

#[test]
fn change_is_read_like_a_mastodon_migration() {
    let ops = read(
        r#"# frozen_string_literal: true

class AddScheduledStatusIdToMediaAttachments < ActiveRecord::Migration[5.2]
  disable_ddl_transaction!

  def change
    add_reference :media_attachments, :scheduled_status, foreign_key: { on_delete: :nullify }, index: false
    add_index :media_attachments, :scheduled_status_id, algorithm: :concurrently
  end
end
"#,
    );
    assert_eq!(ops.len(), 3, "{ops:#?}");
    is(
        &ops[0],
        OpKind::AddColumn,
        Some("media_attachments"),
        Some("scheduled_status_id"),
        Compat::Expand,
    );
    is(
        &ops[1],
        OpKind::AddForeignKey,
        Some("media_attachments"),
        Some("scheduled_status_id"),
        Compat::Expand,
    );
    is(
        &ops[2],
        OpKind::CreateIndex,
        Some("media_attachments"),
        Some("scheduled_status_id"),
        Compat::Expand,
    );
    unnoted(&ops[2]);
    assert_eq!(Classification::of(ops).compat, Compat::Expand);
}

#[test]
fn up_runs_and_down_never_counts() {
    let ops = read(
        r#"# frozen_string_literal: true

class AddErrorToGroupRepositoryStorageMoves < ActiveRecord::Migration[7.0]
  def up
    add_column :group_repository_storage_moves, :error_message, :text
  end

  def down
    remove_column :group_repository_storage_moves, :error_message
  end
end
"#,
    );
    assert_eq!(ops.len(), 1, "{ops:#?}");
    is(
        &ops[0],
        OpKind::AddColumn,
        Some("group_repository_storage_moves"),
        Some("error_message"),
        Compat::Expand,
    );
}

#[test]
fn change_wins_over_up_as_in_rails() {
    let ops = read(
        "class A < ActiveRecord::Migration[7.1]\n  def up\n    drop_table :users\n  end\n  def change\n    create_table :posts\n  end\nend\n",
    );
    assert_eq!(ops.len(), 1, "{ops:#?}");
    is(
        &ops[0],
        OpKind::CreateTable,
        Some("posts"),
        None,
        Compat::Expand,
    );
}

#[test]
fn old_style_self_up_is_read_and_class_settings_are_not_operations() {
    let ops = read(
        r#"class DropReallyOldUnusedColumns < ActiveRecord::Migration
  tag :postdeploy
  disable_ddl_transaction!

  def self.up
    remove_column :assignments, :minimum_required_blog_posts
  end

  def self.down
    add_column :assignments, :minimum_required_blog_posts, :integer
  end
end
"#,
    );
    assert_eq!(ops.len(), 1, "{ops:#?}");
    is(
        &ops[0],
        OpKind::DropColumn,
        Some("assignments"),
        Some("minimum_required_blog_posts"),
        Compat::Contract,
    );
}

#[test]
fn reversible_counts_only_the_up_block() {
    let ops = change(
        r#"    reversible do |dir|
      dir.up do
        change_column_null :users, :email, false
      end
      dir.down do
        drop_table :users
      end
    end
    reversible { |direction| direction.down { remove_column :users, :name } }"#,
    );
    assert_eq!(ops.len(), 1, "{ops:#?}");
    is(
        &ops[0],
        OpKind::SetNotNull,
        Some("users"),
        Some("email"),
        Compat::Contract,
    );
}

#[test]
fn reversible_statements_outside_the_directions_run_both_ways() {
    let ops = change(
        "    reversible do |dir|\n      add_column :users, :nickname, :string\n      dir.sideways { }\n    end",
    );
    assert_eq!(ops.len(), 2, "{ops:#?}");
    is(
        &ops[0],
        OpKind::AddColumn,
        Some("users"),
        Some("nickname"),
        Compat::Expand,
    );
    is(&ops[1], OpKind::RunCode, None, None, Compat::Unknown);
}

#[test]
fn gitlabs_with_lock_retries_is_looked_inside() {
    let ops = change(
        r#"    with_lock_retries do
      add_column :ci_builds, :partition_id, :bigint, null: false, default: 100
      remove_column :ci_builds, :legacy_state
    end"#,
    );
    assert_eq!(ops.len(), 2, "{ops:#?}");
    is(
        &ops[0],
        OpKind::AddColumn,
        Some("ci_builds"),
        Some("partition_id"),
        Compat::Expand,
    );
    is(
        &ops[1],
        OpKind::DropColumn,
        Some("ci_builds"),
        Some("legacy_state"),
        Compat::Contract,
    );
}

#[test]
fn safety_assured_and_up_only_are_looked_inside() {
    let ops = change(
        r#"    safety_assured {
      remove_column :custom_filters, :no_desc
      remove_column :custom_filters, :desc
    }
    safety_assured do
      rename_column :users, :name, :full_name
    end
    up_only { add_column :users, :bio, :text }"#,
    );
    assert_eq!(ops.len(), 4, "{ops:#?}");
    is(
        &ops[0],
        OpKind::DropColumn,
        Some("custom_filters"),
        Some("no_desc"),
        Compat::Contract,
    );
    is(
        &ops[1],
        OpKind::DropColumn,
        Some("custom_filters"),
        Some("desc"),
        Compat::Contract,
    );
    is(
        &ops[2],
        OpKind::RenameColumn,
        Some("users"),
        Some("name"),
        Compat::Contract,
    );
    is(
        &ops[3],
        OpKind::AddColumn,
        Some("users"),
        Some("bio"),
        Compat::Expand,
    );
}

#[test]
fn settings_and_messages_are_no_operations() {
    assert_eq!(
        change("    disable_ddl_transaction!\n    say \"nothing to do\"\n    say 'counted', true"),
        vec![]
    );
    let empty = read("class Noop < ActiveRecord::Migration[7.1]\n  def change\n  end\nend\n");
    assert_eq!(empty, vec![]);
    assert_eq!(Classification::of(empty).compat, Compat::Expand);
}

#[test]
fn data_code_is_unknown() {
    for body in [
        "    User.where(admin: nil).update_all(admin: false)",
        "    Account.find_each { |a| a.update!(locked: false) }",
        "    [1, 2].each { |i| say i.to_s }",
        "    say_with_time 'backfilling' do\n      add_column :users, :x, :integer\n    end",
        "    add_concurrent_index :users, :email",
        "    while true do\n    end",
        "    Migration::ColumnDropper.execute_drop(:topics, %i[junk])",
        "    count = User.count",
        "    revert { add_column :users, :x, :integer }",
    ] {
        let ops = change(body);
        assert_eq!(ops.len(), 1, "{body}\n{ops:#?}");
        is(&ops[0], OpKind::RunCode, None, None, Compat::Unknown);
        noted(&ops[0], "arbitrary code");
    }
}

#[test]
fn code_beside_the_dsl_makes_the_migration_unknown_unless_something_breaks() {
    let ops = change("    add_column :users, :active, :boolean\n    User.update_all(active: true)");
    assert_eq!(ops.len(), 2);
    noted(&ops[1], "User.update_all(active: true)");
    assert_eq!(Classification::of(ops).compat, Compat::Unknown);
    let ops = change("    User.update_all(active: true)\n    remove_column :users, :legacy");
    assert_eq!(Classification::of(ops).compat, Compat::Contract);
}

#[test]
fn schema_guards_class_what_they_guard() {
    let ops = change(
        r#"    add_column :users, :x, :integer unless column_exists?(:users, :x)
    if table_exists?(:legacy) && !index_exists?(:legacy, :x)
      drop_table :legacy
    else
      create_table :legacy
    end
    return if connection.column_exists?(:users, :y)
    remove_index :users, :x if index_exists?(:users, :x)"#,
    );
    assert_eq!(ops.len(), 4, "{ops:#?}");
    is(
        &ops[0],
        OpKind::AddColumn,
        Some("users"),
        Some("x"),
        Compat::Expand,
    );
    is(
        &ops[1],
        OpKind::DropTable,
        Some("legacy"),
        None,
        Compat::Contract,
    );
    is(
        &ops[2],
        OpKind::CreateTable,
        Some("legacy"),
        None,
        Compat::Expand,
    );
    is(
        &ops[3],
        OpKind::DropIndex,
        Some("users"),
        Some("x"),
        Compat::Expand,
    );
}

#[test]
fn other_conditions_are_code() {
    for body in [
        "    add_column :users, :x, :integer if Rails.env.production?",
        "    return unless Gitlab.com?",
        "    if ENV['SKIP']\n      drop_table :users\n    end",
        "    if table_exists?(:a)\n      drop_table :a\n    elsif User.any?\n      drop_table :b\n    end",
    ] {
        let ops = change(body);
        assert_eq!(ops.len(), 1, "{body}\n{ops:#?}");
        is(&ops[0], OpKind::RunCode, None, None, Compat::Unknown);
    }
}

#[test]
fn constants_and_locals_bound_to_literals_name_things() {
    let ops = read(
        r#"# frozen_string_literal: true

class AddIndexOnStatus < Gitlab::Database::Migration[2.2]
  milestone '16.7'
  disable_ddl_transaction!

  TABLE_NAME = :ci_builds
  INDEX_NAME = 'index_ci_builds_on_status'.freeze
  COLUMNS = %i[status created_at].freeze

  def up
    column = :status
    add_index TABLE_NAME, COLUMNS, name: INDEX_NAME, algorithm: :concurrently
    remove_column TABLE_NAME, column
    add_column TABLE_NAME, :computed, :integer, null: false, default: Time.current.to_i
  end

  def down
  end
end
"#,
    );
    assert_eq!(ops.len(), 3, "{ops:#?}");
    is(
        &ops[0],
        OpKind::CreateIndex,
        Some("ci_builds"),
        Some("status, created_at"),
        Compat::Expand,
    );
    is(
        &ops[1],
        OpKind::DropColumn,
        Some("ci_builds"),
        Some("status"),
        Compat::Contract,
    );
    // A default Ruby computes is not read: not guessed as a database default.
    is(
        &ops[2],
        OpKind::AddColumn,
        Some("ci_builds"),
        Some("computed"),
        Compat::Unknown,
    );
    noted(&ops[2], "default: is not a literal");
}

#[test]
fn names_not_literal_keep_the_operation_class() {
    let ops = change("    remove_column table_name_for(:users), :legacy\n    add_index @table, :x");
    is(
        &ops[0],
        OpKind::DropColumn,
        None,
        Some("legacy"),
        Compat::Contract,
    );
    is(
        &ops[1],
        OpKind::CreateIndex,
        None,
        Some("x"),
        Compat::Expand,
    );
}

#[test]
fn a_migration_in_a_module_is_found() {
    let ops = read(
        "module Legacy\n  class DropOld < ActiveRecord::Migration[6.1]\n    def change\n      drop_table :old\n    end\n  end\nend\n",
    );
    assert_eq!(ops.len(), 1);
    is(
        &ops[0],
        OpKind::DropTable,
        Some("old"),
        None,
        Compat::Contract,
    );
}
