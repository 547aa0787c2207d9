ALTER TABLE orders ADD COLUMN tenant_id uuid NOT NULL;
