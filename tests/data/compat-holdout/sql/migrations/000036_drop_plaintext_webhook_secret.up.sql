BEGIN;

-- Deliveries older than the 90-day retention window are no longer shown.
DELETE FROM webhook_deliveries
 WHERE delivered_at < now() - INTERVAL '90 days';

-- secret_hash has been written alongside secret_plain since 000029.
ALTER TABLE webhooks DROP COLUMN IF EXISTS secret_plain;

COMMIT;
