-- Permanent refusals (5xx, bad credentials) of a mail's earlier tries. Only
-- these count toward giving the mail up; a transient failure (4xx, server
-- down, timeout) does not, however often it happens.
ALTER TABLE announcements ADD COLUMN refusals INTEGER NOT NULL DEFAULT 0;
-- When the mail was given up (Unix milliseconds): `/healthz` on every
-- replica reports it until a mail goes out after it. Mails given up before
-- this column existed have none and are not reported.
ALTER TABLE announcements ADD COLUMN refused_at INTEGER;
