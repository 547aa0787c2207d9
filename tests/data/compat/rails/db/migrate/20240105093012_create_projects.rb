class CreateProjects < ActiveRecord::Migration[7.1]
  def change
    create_table :projects do |t|
      t.string :title, null: false
      t.string :slug
      t.text :description
      t.string :legacy_code, null: false, default: ""
      t.references :creator, null: false, foreign_key: { to_table: :users }

      t.timestamps
    end
  end
end
