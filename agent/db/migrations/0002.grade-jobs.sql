-- Grading as a shared queue: a grade an instance has accepted is a row here until it
-- is saved, so any instance can finish it if that one dies.
-- depends: 0001.initial

CREATE TABLE IF NOT EXISTS grade_jobs (
    session_id TEXT NOT NULL,
    turn INTEGER NOT NULL,
    candidate TEXT NOT NULL,
    payload TEXT NOT NULL,              -- the turn (JSON) as the grader needs it
    seq DOUBLE PRECISION NOT NULL,      -- when it was queued (the order within a candidate)
    claimed_by TEXT,                    -- the instance grading it; NULL: queued
    claimed_at DOUBLE PRECISION,
    attempts INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (session_id, turn)
);

CREATE INDEX IF NOT EXISTS grade_jobs_order ON grade_jobs (candidate, seq);

-- app instances alive: each one writes its heartbeat; a job claimed by an instance
-- whose heartbeat stopped is free again
CREATE TABLE IF NOT EXISTS instances (
    id TEXT PRIMARY KEY,
    seen DOUBLE PRECISION NOT NULL
);
