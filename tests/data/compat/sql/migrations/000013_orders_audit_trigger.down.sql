DROP TRIGGER IF EXISTS orders_audit_status ON orders;
DROP FUNCTION IF EXISTS orders_audit_status();
DROP TABLE IF EXISTS orders_audit;
