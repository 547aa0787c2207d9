-- Orphaned keys were removed by 000030.
ALTER TABLE api_keys
    ADD CONSTRAINT api_keys_project_id_fkey
    FOREIGN KEY (project_id) REFERENCES projects (id) ON DELETE CASCADE;

-- Keys used only from the internal network have no client address.
ALTER TABLE api_keys ALTER COLUMN last_used_ip DROP NOT NULL;

ALTER TABLE api_keys DROP CONSTRAINT IF EXISTS api_keys_name_length_check;

ALTER TABLE api_keys ALTER COLUMN scopes SET DEFAULT ARRAY['read']::text[];

DROP INDEX IF EXISTS api_keys_created_at_idx;
