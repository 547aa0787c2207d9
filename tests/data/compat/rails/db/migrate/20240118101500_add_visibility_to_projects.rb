class AddVisibilityToProjects < ActiveRecord::Migration[7.1]
  def change
    add_column :projects, :visibility, :string, null: false, default: "private"
  end
end
