class RemoveSlugFromProjects < ActiveRecord::Migration[7.1]
  def change
    remove_column :projects, :slug, :string
  end
end
