# frozen_string_literal: true

class RemoveLegacyOtpColumnsFromUsers < ActiveRecord::Migration[7.1]
  def change
    safety_assured do
      remove_column :users, :encrypted_otp_secret_iv, :string
      remove_column :users, :encrypted_otp_secret_salt, :string
      rename_column :users, :otp_secret_ciphertext, :otp_secret
    end
  end
end
