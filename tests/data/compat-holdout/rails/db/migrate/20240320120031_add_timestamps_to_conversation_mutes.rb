# frozen_string_literal: true

class AddTimestampsToConversationMutes < ActiveRecord::Migration[7.1]
  disable_ddl_transaction!

  def change
    add_timestamps :conversation_mutes

    # The account_id index is the prefix of the composite one below.
    remove_index :conversation_mutes, :account_id, algorithm: :concurrently
    add_index :conversation_mutes, [:account_id, :created_at], algorithm: :concurrently
  end
end
