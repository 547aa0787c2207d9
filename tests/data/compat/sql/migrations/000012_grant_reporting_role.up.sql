-- The reporting role exists only on the production cluster.
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'reporting') THEN
        EXECUTE 'GRANT SELECT ON ALL TABLES IN SCHEMA public TO reporting';
    ELSE
        RAISE NOTICE 'role reporting missing, skipping grant';
    END IF;
END
$$;
