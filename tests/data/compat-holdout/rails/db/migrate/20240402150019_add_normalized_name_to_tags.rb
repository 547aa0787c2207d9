# frozen_string_literal: true

class AddNormalizedNameToTags < ActiveRecord::Migration[7.1]
  def change
    change_table :tags do |t|
      t.string :normalized_name, null: false
      t.change_default :listable, from: nil, to: true
      t.remove_index :name, name: 'index_tags_on_name_lower_btree'
      t.index :normalized_name, name: 'index_tags_on_normalized_name'
    end
  end
end
