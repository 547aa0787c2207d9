class BackfillProjectsVisibility < ActiveRecord::Migration[7.1]
  def up
    execute <<~SQL
      UPDATE projects
      SET visibility = 'internal'
      WHERE visibility = 'private' AND organization_id IS NOT NULL
    SQL
  end

  def down
    # The previous values are not kept; nothing to undo.
  end
end
