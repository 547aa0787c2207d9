# frozen_string_literal: true

class IndexMediaAttachmentsOnAccountAndCreatedAt < ActiveRecord::Migration[7.1]
  disable_ddl_transaction!

  def up
    add_index :media_attachments, [:account_id, :created_at],
              order: { created_at: :desc },
              algorithm: :concurrently,
              if_not_exists: true
    remove_index :media_attachments, :account_id, algorithm: :concurrently, if_exists: true
    change_column_default :media_attachments, :processing, from: nil, to: 0
  end

  def down
    change_column_default :media_attachments, :processing, from: 0, to: nil
    add_index :media_attachments, :account_id, algorithm: :concurrently, if_not_exists: true
    remove_index :media_attachments, [:account_id, :created_at], algorithm: :concurrently, if_exists: true
  end
end
