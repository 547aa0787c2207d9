class RemoveDefaultFromProjectsVisibility < ActiveRecord::Migration[7.1]
  def change
    change_column_default :projects, :visibility, from: "private", to: nil
  end
end
