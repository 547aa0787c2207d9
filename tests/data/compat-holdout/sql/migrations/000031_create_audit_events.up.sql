-- Append-only record of tenant-level actions. Written by the API, read only by
-- the admin console.
CREATE EXTENSION IF NOT EXISTS pgcrypto;

CREATE TABLE IF NOT EXISTS audit_events (
    id          UUID        PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id   UUID        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    actor_id    UUID,
    action      TEXT        NOT NULL,
    payload     JSONB       NOT NULL DEFAULT '{}'::jsonb,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE INDEX IF NOT EXISTS audit_events_tenant_id_created_at_idx
    ON audit_events (tenant_id, created_at DESC);

COMMENT ON TABLE audit_events IS 'Append-only; rows are never updated';
