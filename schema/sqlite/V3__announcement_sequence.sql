-- Update mails: several per milestone, told apart by `sequence` (0 for the
-- warning and the release notice, 1, 2, … for updates), and the database
-- changes each mail listed (`items`, JSON: ["merge_request:12", "issue:3"]),
-- so the next update names only what joined or left since. SQLite cannot
-- change a primary key in place, so the table is rebuilt with its rows.

CREATE TABLE announcements_v3 (
    forge      TEXT    NOT NULL,
    project    TEXT    NOT NULL,
    milestone  INTEGER NOT NULL,
    kind       TEXT    NOT NULL,
    sequence   INTEGER NOT NULL DEFAULT 0,
    message_id TEXT    NOT NULL,
    state      TEXT    NOT NULL,
    attempts   INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    sent_at    INTEGER,
    last_error TEXT,
    items      TEXT    NOT NULL DEFAULT '[]',
    PRIMARY KEY (forge, project, milestone, kind, sequence)
);
INSERT INTO announcements_v3
    (forge, project, milestone, kind, sequence, message_id, state, attempts,
     created_at, sent_at, last_error, items)
SELECT forge, project, milestone, kind, 0, message_id, state, attempts,
       created_at, sent_at, last_error, '[]'
FROM announcements;
DROP TABLE announcements;
ALTER TABLE announcements_v3 RENAME TO announcements;
