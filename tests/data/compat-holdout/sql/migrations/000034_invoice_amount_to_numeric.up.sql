-- Amounts were stored as float8 cents; store them as exact decimal units.
ALTER TABLE invoices
    ALTER COLUMN amount TYPE NUMERIC(12, 2) USING round((amount / 100.0)::numeric, 2);

CREATE INDEX IF NOT EXISTS invoices_tenant_id_issued_at_idx
    ON invoices (tenant_id, issued_at);

GRANT SELECT ON invoices TO reporting;
