class AddLastActivityAtToProjects < ActiveRecord::Migration[7.1]
  def up
    add_column :projects, :last_activity_at, :datetime
    execute "UPDATE projects SET last_activity_at = updated_at"
  end

  def down
    remove_column :projects, :last_activity_at
  end
end
