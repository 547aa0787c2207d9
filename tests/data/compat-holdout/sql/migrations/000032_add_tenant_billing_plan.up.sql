ALTER TYPE tenant_status ADD VALUE IF NOT EXISTS 'suspended';

ALTER TABLE tenants
    ADD COLUMN billing_plan  TEXT        NOT NULL DEFAULT 'free',
    ADD COLUMN trial_ends_at TIMESTAMPTZ;

-- Tenants created before self-serve signup are all on the legacy contract.
UPDATE tenants
   SET billing_plan = 'legacy'
 WHERE created_at < '2021-01-01T00:00:00Z';
