# frozen_string_literal: true

class CreateAccountNotesAndQuoteReference < ActiveRecord::Migration[7.1]
  disable_ddl_transaction!

  def change
    create_table :account_relationship_notes do |t|
      t.references :account, null: false, foreign_key: { on_delete: :cascade }, index: false
      t.references :target_account, null: false, foreign_key: { to_table: :accounts, on_delete: :cascade }
      t.text :comment, null: false, default: ''

      t.timestamps
    end

    add_index :account_relationship_notes, [:account_id, :target_account_id], algorithm: :concurrently

    # Quote posts: nullable so that every existing status stays valid.
    add_reference :statuses, :quoted_status,
                  null: true,
                  foreign_key: { to_table: :statuses, on_delete: :nullify, validate: false },
                  index: { algorithm: :concurrently }

    change_column_default :users, :locale, from: nil, to: 'en'
  end
end
