CREATE TABLE orders_audit (
    id         bigserial PRIMARY KEY,
    order_id   bigint      NOT NULL,
    old_status order_status,
    new_status order_status NOT NULL,
    changed_at timestamptz NOT NULL DEFAULT now()
);

CREATE FUNCTION orders_audit_status() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.status IS DISTINCT FROM OLD.status THEN
        INSERT INTO orders_audit (order_id, old_status, new_status)
        VALUES (NEW.id, OLD.status, NEW.status);
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER orders_audit_status
    AFTER UPDATE OF status ON orders
    FOR EACH ROW EXECUTE FUNCTION orders_audit_status();
