-- schemagate's store, SQLite dialect (schema/postgres/V1__store.sql is the
-- same design for PostgreSQL). Times are Unix milliseconds; structured data
-- is JSON text, because sqlx's Any driver maps only integers and strings.

-- Webhook deliveries seen, for dedup by the forge's delivery id.
CREATE TABLE deliveries (
    forge       TEXT    NOT NULL,
    delivery_id TEXT    NOT NULL,
    event_name  TEXT    NOT NULL,
    received_at INTEGER NOT NULL,
    job_id      INTEGER NOT NULL,
    PRIMARY KEY (forge, delivery_id)
);
CREATE INDEX deliveries_by_received_at ON deliveries (received_at);

-- The durable job queue. `claims` counts every claim; `attempts` only the
-- ones that count towards max_attempts (a graceful release gives one back).
CREATE TABLE jobs (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    serial_key  TEXT    NOT NULL,
    payload     TEXT    NOT NULL,
    state       TEXT    NOT NULL,
    run_at      INTEGER NOT NULL,
    lease_owner TEXT,
    lease_until INTEGER,
    claims      INTEGER NOT NULL DEFAULT 0,
    attempts    INTEGER NOT NULL DEFAULT 0,
    completions INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT,
    enqueued_at INTEGER NOT NULL,
    finished_at INTEGER
);
CREATE INDEX jobs_by_state_run_at ON jobs (state, run_at);
CREATE INDEX jobs_by_serial_key ON jobs (serial_key, state);

-- Which job holds each serial key; the primary key makes taking a key atomic
-- across replicas.
CREATE TABLE key_leases (
    serial_key  TEXT    PRIMARY KEY,
    job_id      INTEGER NOT NULL,
    lease_owner TEXT    NOT NULL,
    lease_until INTEGER NOT NULL
);

-- What the bot remembers of each MR and issue (an ItemRecord as JSON).
-- `db_change` repeats the record's database-change entry so that a project's
-- state is read without parsing every record.
CREATE TABLE items (
    forge      TEXT    NOT NULL,
    project    TEXT    NOT NULL,
    kind       TEXT    NOT NULL,
    number     INTEGER NOT NULL,
    record     TEXT    NOT NULL,
    db_change  TEXT,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (forge, project, kind, number)
);

-- Issues that database-change MRs close, rewritten with each MR's record.
CREATE TABLE item_closes (
    forge   TEXT    NOT NULL,
    project TEXT    NOT NULL,
    mr      INTEGER NOT NULL,
    issue   INTEGER NOT NULL,
    PRIMARY KEY (forge, project, mr, issue)
);
CREATE INDEX item_closes_by_issue ON item_closes (forge, project, issue);

-- Bumped by every milestone event, so replicas know their milestone cache is stale.
CREATE TABLE milestone_epochs (
    forge   TEXT    NOT NULL,
    project TEXT    NOT NULL,
    epoch   INTEGER NOT NULL,
    PRIMARY KEY (forge, project)
);

-- The announcement ledger: one row per (project, milestone, kind), written
-- before and after sending.
CREATE TABLE announcements (
    forge      TEXT    NOT NULL,
    project    TEXT    NOT NULL,
    milestone  INTEGER NOT NULL,
    kind       TEXT    NOT NULL,
    message_id TEXT    NOT NULL,
    state      TEXT    NOT NULL,
    attempts   INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    sent_at    INTEGER,
    last_error TEXT,
    PRIMARY KEY (forge, project, milestone, kind)
);
