//! The Rails reader on text that is not a migration: no class, no method,
//! malformed or hostile Ruby, and the property that no text panics.

use super::read;
use super::tests::{change, is, noted};
use crate::core::compat::{Classification, Compat, OpKind};
use proptest::prelude::*;

#[test]
fn a_file_without_a_migration_is_not_understood() {
    for (text, why) in [
        ("", "no ActiveRecord::Migration class"),
        ("puts 'hello'\n", "no ActiveRecord::Migration class"),
        (
            "ActiveRecord::Schema.define(version: 2024) do\n  create_table :users\nend\n",
            "no ActiveRecord::Migration class",
        ),
        (
            "class User < ApplicationRecord\n  def change\n    drop_table :users\n  end\nend\n",
            "no ActiveRecord::Migration class",
        ),
        (
            "class Odd < ActiveRecord::Migration[7.1]\n  def down\n    drop_table :users\n  end\nend\n",
            "no change or up method",
        ),
        (
            "class Empty < ActiveRecord::Migration[7.1]\nend\n",
            "no change or up method",
        ),
    ] {
        let ops = read(text);
        assert_eq!(ops.len(), 1, "{text}\n{ops:#?}");
        is(&ops[0], OpKind::NotUnderstood, None, None, Compat::Unknown);
        noted(&ops[0], why);
    }
}

#[test]
fn malformed_ruby_is_one_parse_error_with_its_line() {
    for (text, why) in [
        (
            "class Broken < ActiveRecord::Migration[7.1]\n  def change\n    add_column :users, :x, :integer\n  end\n",
            "parse error at line 1: `class Broken < ActiveRecord::Migration[7.1]` is not closed",
        ),
        (
            "class Broken < ActiveRecord::Migration[7.1]\n  def change\n    add_column :users, :x, ) :integer\n  end\nend\n",
            "parse error at line 3",
        ),
        (
            "class Broken < ActiveRecord::Migration[7.1]\n  def change\n    execute \"SELECT 1\n  end\nend\n",
            "parse error at line 3: unexpected `\"`",
        ),
    ] {
        let ops = read(text);
        assert_eq!(ops.len(), 1, "{text}\n{ops:#?}");
        is(&ops[0], OpKind::NotUnderstood, None, None, Compat::Unknown);
        noted(&ops[0], why);
        assert_eq!(Classification::of(ops).compat, Compat::Unknown);
    }
}

#[test]
fn deep_nesting_stops_without_exhausting_the_stack() {
    let depth = 5_000;
    let body = format!(
        "{}remove_column :users, :x{}",
        "safety_assured { ".repeat(depth),
        " }".repeat(depth)
    );
    let ops = change(&body);
    assert!(
        ops.iter()
            .any(|o| o.op == OpKind::NotUnderstood || o.compat != Compat::Expand),
        "{ops:#?}"
    );
    let values = format!(
        "    add_column :t, :c, :integer, default: {}1{}",
        "[".repeat(depth),
        "]".repeat(depth)
    );
    let _ = change(&values);
}

const REAL: &str = r#"# frozen_string_literal: true

class AddAccountsToPublishingDelays < ActiveRecord::Migration[5.2]
  disable_ddl_transaction!

  INDEX_NAME = "index_delays_on_account_id"

  def change
    safety_assured do
      add_reference :publishing_delays, :account, null: false, foreign_key: { on_delete: :cascade }, index: { algorithm: :concurrently }
    end
    change_table :publishing_delays do |t|
      t.string :reason, null: false, default: ""
      t.timestamps null: true
    end
    reversible do |dir|
      dir.up do
        execute <<~SQL.squish
          UPDATE publishing_delays SET reason = 'legacy' WHERE reason IS NULL
        SQL
      end
    end
  end
end
"#;

proptest! {
    #[test]
    fn any_text_reads_without_panicking(text in "\\PC{0,300}") {
        let ops = read(&text);
        prop_assert!(!ops.is_empty() || text.contains("class"));
    }

    #[test]
    fn mangled_migrations_read_without_panicking(
        at in 0usize..REAL.len(),
        junk in "[\\[\\]{}()|:;,\"'#<>~ a-z\\n]{0,8}",
    ) {
        let mut text = String::from(REAL);
        let at = (0..=at).rev().find(|i| text.is_char_boundary(*i)).unwrap_or(0);
        text.insert_str(at, &junk);
        let _ = Classification::of(read(&text));
    }

    #[test]
    fn truncated_migrations_are_parse_errors(cut in 0usize..REAL.len()) {
        let start = REAL.find("class ").unwrap_or(0) + "class A".len();
        let end = REAL.rfind("end").unwrap_or(REAL.len());
        let cut = start + cut % (end - start);
        let cut = (0..=cut).rev().find(|i| REAL.is_char_boundary(*i)).unwrap_or(0);
        let ops = read(&REAL[..cut]);
        prop_assert_eq!(ops.len(), 1, "{:?}", ops);
        prop_assert_eq!(ops[0].op, OpKind::NotUnderstood);
        prop_assert_eq!(Classification::of(ops.clone()).compat, Compat::Unknown);
        let note = ops[0].note.clone().unwrap_or_default();
        prop_assert!(note.starts_with("parse error"), "{}", note);
    }
}
