//! The Rails reader's column methods and the trap of `null:` with and
//! without `default:`.

use super::tests::{change, is, noted, one, unnoted};
use crate::core::compat::{Compat, OpKind};

#[test]
fn add_column_not_null_with_default_is_expand_because_rails_sets_a_database_default() {
    // The trap: Django's default= never reaches the database, Rails' does.
    for body in [
        "    add_column :milestones, :lock_version, :integer, null: false, default: 0",
        "    add_column :users, :role, :string, null: false, default: 'member'",
        "    add_column :events, :happened_at, :datetime, null: false, default: -> { \"now()\" }",
        "    add_column :users, :tags, :string, array: true, null: false, default: []",
        "    add_column(:users, :flags, :jsonb, { null: false, default: {} })",
        "    add_column :users, :admin, :boolean, :null => false, :default => false",
    ] {
        let op = one(body);
        assert_eq!(
            (op.op, op.compat),
            (OpKind::AddColumn, Compat::Expand),
            "{body}"
        );
        noted(&op, "default: is a database default in Rails");
    }
}

#[test]
fn add_column_not_null_without_default_is_contract() {
    for body in [
        "    add_column :users, :email, :string, null: false",
        "    add_column :users, :email, :string, null: false, default: nil",
        "    add_column :users, :email, :string, null: false, comment: 'login', unique: true",
    ] {
        let op = one(body);
        is(
            &op,
            OpKind::AddColumn,
            Some("users"),
            Some("email"),
            Compat::Contract,
        );
        noted(&op, "NOT NULL without a database default");
    }
}

#[test]
fn add_column_nullable_is_expand_whatever_else_it_says() {
    for body in [
        "    add_column :users, :bio, :text",
        "    add_column :users, :bio, :text, null: true",
        "    add_column :users, :bio, :text, default: 'none', limit: 255, if_not_exists: true",
        "    add_column \"users\", \"bio\", :text, unique: true",
    ] {
        let op = one(body);
        is(
            &op,
            OpKind::AddColumn,
            Some("users"),
            Some("bio"),
            Compat::Expand,
        );
        unnoted(&op);
    }
}

#[test]
fn add_column_options_not_literal_are_unknown() {
    for (body, why) in [
        (
            "    add_column :users, :bio, :text, **OPTIONS",
            "options are not literal",
        ),
        (
            "    add_column :users, :bio, :text, null: required?",
            "null: is not a literal",
        ),
        (
            "    add_column :users, :bio, :text, null: false, default: \"#{x}\"",
            "default: is not a literal",
        ),
    ] {
        let op = one(body);
        is(
            &op,
            OpKind::AddColumn,
            Some("users"),
            Some("bio"),
            Compat::Unknown,
        );
        noted(&op, why);
    }
}

#[test]
fn add_column_primary_key_is_contract() {
    let op = one("    add_column :legacy_rows, :id, :primary_key");
    is(
        &op,
        OpKind::AddPrimaryKey,
        Some("legacy_rows"),
        Some("id"),
        Compat::Contract,
    );
}

#[test]
fn removing_renaming_and_retyping_columns_is_contract() {
    let ops = change(
        r#"    remove_column :discourse_annotator_codes, :name_legacy, if_exists: true
    remove_column :users, :age, :integer, null: true
    remove_columns :custom_filters, :spoiler, :thread, type: :boolean
    rename_column :users, :name, :full_name
    change_column :users, :age, :bigint, null: true"#,
    );
    let want = [
        (
            OpKind::DropColumn,
            "discourse_annotator_codes",
            "name_legacy",
        ),
        (OpKind::DropColumn, "users", "age"),
        (OpKind::DropColumn, "custom_filters", "spoiler"),
        (OpKind::DropColumn, "custom_filters", "thread"),
        (OpKind::RenameColumn, "users", "name"),
        (OpKind::AlterColumnType, "users", "age"),
    ];
    assert_eq!(ops.len(), want.len(), "{ops:#?}");
    for (op, (kind, table, column)) in ops.iter().zip(want) {
        is(op, kind, Some(table), Some(column), Compat::Contract);
    }
}

#[test]
fn change_column_null() {
    let op = one("    change_column_null :users, :email, false");
    is(
        &op,
        OpKind::SetNotNull,
        Some("users"),
        Some("email"),
        Compat::Contract,
    );
    unnoted(&op);
    // Filling the NULLs first does not help old code that still writes them.
    let op = one("    change_column_null :users, :locale, false, 'en'");
    is(
        &op,
        OpKind::SetNotNull,
        Some("users"),
        Some("locale"),
        Compat::Contract,
    );
    noted(&op, "fills existing NULLs");
    let op = one("    change_column_null :users, :email, true");
    is(
        &op,
        OpKind::DropNotNull,
        Some("users"),
        Some("email"),
        Compat::Expand,
    );
    let op = one("    change_column_null :users, :email, allow_null?");
    is(
        &op,
        OpKind::SetNotNull,
        Some("users"),
        Some("email"),
        Compat::Unknown,
    );
}

#[test]
fn change_column_default() {
    for body in [
        "    change_column_default :users, :locale, 'en'",
        "    change_column_default :users, :locale, from: nil, to: 'en'",
        "    change_column_default :users, :locale, -> { 'now()' }",
        "    change_column_default :users, :locale, { from: 'en' }",
    ] {
        let op = one(body);
        is(
            &op,
            OpKind::SetDefault,
            Some("users"),
            Some("locale"),
            Compat::Expand,
        );
    }
    for body in [
        "    change_column_default :users, :locale, nil",
        "    change_column_default :users, :locale, from: 'en', to: nil",
        "    change_column_default(:users, :locale, { from: 'en', to: nil })",
    ] {
        let op = one(body);
        is(
            &op,
            OpKind::DropDefault,
            Some("users"),
            Some("locale"),
            Compat::Contract,
        );
        noted(&op, "old writes that omit the column may fail");
    }
    let op = one("    change_column_default :users, :locale, I18n.default_locale");
    is(
        &op,
        OpKind::SetDefault,
        Some("users"),
        Some("locale"),
        Compat::Unknown,
    );
}

#[test]
fn comments_are_expand() {
    let ops = change(
        "    change_column_comment :users, :email, from: nil, to: 'login'\n    change_table_comment :users, 'people'",
    );
    is(
        &ops[0],
        OpKind::Comment,
        Some("users"),
        Some("email"),
        Compat::Expand,
    );
    is(
        &ops[1],
        OpKind::Comment,
        Some("users"),
        None,
        Compat::Expand,
    );
}
