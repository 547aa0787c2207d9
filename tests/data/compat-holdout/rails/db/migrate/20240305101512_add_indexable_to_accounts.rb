# frozen_string_literal: true

class AddIndexableToAccounts < ActiveRecord::Migration[7.1]
  def up
    change_table :accounts, bulk: true do |t|
      t.boolean :indexable, null: false, default: false
      t.string :moved_reason
    end
  end

  def down
    remove_column :accounts, :moved_reason
    remove_column :accounts, :indexable
  end
end
