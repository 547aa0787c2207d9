class ArchiveStaleProjects < ActiveRecord::Migration[7.1]
  # A model local to the migration, so later changes to app/models/project.rb
  # cannot break it.
  class MigrationProject < ActiveRecord::Base
    self.table_name = "projects"
  end

  def up
    MigrationProject.reset_column_information
    cutoff = 2.years.ago
    MigrationProject.where(archived_at: nil).where("updated_at < ?", cutoff).in_batches(of: 500) do |batch|
      batch.update_all(archived_at: Time.current)
    end
  end

  def down
    raise ActiveRecord::IrreversibleMigration
  end
end
