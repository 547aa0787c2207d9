# frozen_string_literal: true

class AddShardedAccountIndexesToStatuses < ActiveRecord::Migration[7.1]
  disable_ddl_transaction!

  SHARDS = 4

  def up
    SHARDS.times do |shard|
      execute <<~SQL.squish
        CREATE INDEX CONCURRENTLY IF NOT EXISTS index_statuses_on_account_id_shard_#{shard}
        ON statuses (account_id, id DESC)
        WHERE account_id % #{SHARDS} = #{shard}
      SQL
    end
  end

  def down
    SHARDS.times do |shard|
      execute "DROP INDEX CONCURRENTLY IF EXISTS index_statuses_on_account_id_shard_#{shard}"
    end
  end
end
