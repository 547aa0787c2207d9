ALTER TABLE users ADD COLUMN legacy_role text;
