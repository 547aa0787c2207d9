class ChangeProjectsDescriptionNull < ActiveRecord::Migration[7.1]
  def change
    change_column_null :projects, :description, false, ""
  end
end
