-- Every row was backfilled by 000010.
ALTER TABLE orders ALTER COLUMN currency SET NOT NULL;
