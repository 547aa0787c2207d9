class AllowNullProjectsLegacyCode < ActiveRecord::Migration[7.1]
  def change
    reversible do |dir|
      dir.up { change_column_null :projects, :legacy_code, true }
      dir.down { change_column_null :projects, :legacy_code, false }
    end
  end
end
