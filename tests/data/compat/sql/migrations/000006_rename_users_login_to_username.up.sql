ALTER TABLE users RENAME COLUMN login TO username;
