-- golang-migrate does not wrap a file in a transaction, so CONCURRENTLY works
-- here as long as it stays the only statement in the file.
CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_created_at_idx ON orders (created_at);
