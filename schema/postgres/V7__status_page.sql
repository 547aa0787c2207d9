-- What the status page reads (docs/status-page.md), so that a page view
-- makes no forge request: each item's last verdict and reasons, each
-- project's milestones as last read and its last sync, and the writes and
-- mails that observe mode held back. Keyed as `items` is (forge word,
-- lowercased project path).

-- The item as the page shows it (JSON: title, state, milestone, verdict,
-- migrations), rewritten with the item's record.
ALTER TABLE items ADD COLUMN view TEXT;

-- One row per configured project the bot has read.
CREATE TABLE project_status (
    forge              TEXT    NOT NULL,
    project            TEXT    NOT NULL,
    -- The milestone list as last read from the forge (JSON, descriptions left out).
    milestones         TEXT,
    milestones_read_at BIGINT,
    -- When the last sync of the project finished, and why it failed if it did.
    last_sync_at       BIGINT,
    last_sync_error    TEXT,
    PRIMARY KEY (forge, project)
);

-- What observe mode would have written: per item (`merge_request:12`),
-- per milestone block (`block:7`) and per mail (`mail:7:warning:0`), the
-- lines saying each write and, for a mail, its preview. Emptied when a
-- server starts without observe mode, which then makes the writes.
CREATE TABLE observed_writes (
    forge   TEXT    NOT NULL,
    project TEXT    NOT NULL,
    subject TEXT    NOT NULL,
    lines   TEXT    NOT NULL,
    preview TEXT,
    at      BIGINT NOT NULL,
    PRIMARY KEY (forge, project, subject)
);
