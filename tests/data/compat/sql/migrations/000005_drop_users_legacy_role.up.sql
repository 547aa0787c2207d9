-- Roles moved to the user_roles table one release ago; nothing reads this column.
ALTER TABLE users DROP COLUMN IF EXISTS legacy_role;
