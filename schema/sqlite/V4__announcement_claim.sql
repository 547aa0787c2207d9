-- A `sending` row is claimed until this time (Unix milliseconds): another
-- process (`schemagate sync` or `announce` beside `serve`, or a second
-- replica) that finds the row `sending` with a live claim does not send
-- too; one whose claim ran out (its sender died) may take it over.
ALTER TABLE announcements ADD COLUMN claimed_until INTEGER;
