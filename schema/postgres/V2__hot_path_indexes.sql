-- Indexes for the two queries every job runs; without them each cost grew
-- with the store's history (`cargo bench --bench serve` measured it).

-- The project's database changes, read by every evaluation: only the items
-- that have one, instead of every item of the project.
CREATE INDEX items_with_db_change ON items (forge, project, kind, number)
    WHERE db_change IS NOT NULL;

-- `claim`'s candidates of one state in id order, so the oldest is found
-- without sorting every queued job.
CREATE INDEX jobs_by_state_id ON jobs (state, id);
