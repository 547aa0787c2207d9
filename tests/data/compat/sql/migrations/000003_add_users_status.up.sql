-- Existing accounts are active; the default also covers inserts from the
-- signup service until it sends the column itself.
ALTER TABLE users
    ADD COLUMN status text NOT NULL DEFAULT 'active';
