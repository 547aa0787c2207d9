# frozen_string_literal: true

class BackfillEmptyAccountDomains < ActiveRecord::Migration[7.1]
  disable_ddl_transaction!

  # Local copy of the model, so that later changes to app/models do not
  # change what this migration does.
  class Account < ApplicationRecord
    self.table_name = 'accounts'
  end

  def up
    add_column :accounts, :domain_normalized_at, :datetime

    Account.where(domain: '').in_batches(of: 1_000) do |batch|
      batch.update_all(domain: nil, domain_normalized_at: Time.now.utc)
    end
  end

  def down
    remove_column :accounts, :domain_normalized_at
  end
end
