class AddIndexToProjectsOnTitle < ActiveRecord::Migration[7.1]
  disable_ddl_transaction!

  def change
    add_index :projects, :title, algorithm: :concurrently
  end
end
