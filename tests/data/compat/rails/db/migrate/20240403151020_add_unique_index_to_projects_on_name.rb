class AddUniqueIndexToProjectsOnName < ActiveRecord::Migration[7.1]
  disable_ddl_transaction!

  def change
    add_index :projects, [:organization_id, :name], unique: true, algorithm: :concurrently
  end
end
