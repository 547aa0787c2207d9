class RenameProjectsTitleToName < ActiveRecord::Migration[7.1]
  def change
    rename_column :projects, :title, :name
  end
end
