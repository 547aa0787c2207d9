-- Update mails: several per milestone, told apart by `sequence` (0 for the
-- warning and the release notice, 1, 2, … for updates), and the database
-- changes each mail listed (`items`, JSON: ["merge_request:12", "issue:3"]),
-- so the next update names only what joined or left since.

ALTER TABLE announcements ADD COLUMN sequence BIGINT NOT NULL DEFAULT 0;
ALTER TABLE announcements ADD COLUMN items TEXT NOT NULL DEFAULT '[]';
ALTER TABLE announcements DROP CONSTRAINT announcements_pkey;
ALTER TABLE announcements ADD PRIMARY KEY (forge, project, milestone, kind, sequence);
