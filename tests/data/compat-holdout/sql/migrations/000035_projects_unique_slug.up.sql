CREATE UNIQUE INDEX IF NOT EXISTS projects_tenant_id_slug_key
    ON projects (tenant_id, lower(slug));

ALTER TABLE projects
    ADD CONSTRAINT projects_slug_format_check
    CHECK (slug ~ '^[a-z0-9][a-z0-9-]{0,62}$');
