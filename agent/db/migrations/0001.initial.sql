-- The schema as it stood before versioned migrations (every statement is idempotent,
-- so a database created by an older Mianshi takes this migration as it is).
-- Types are the ones SQLite and PostgreSQL both read: TEXT, INTEGER, DOUBLE PRECISION.

CREATE TABLE IF NOT EXISTS sessions (
    id TEXT PRIMARY KEY,
    candidate TEXT NOT NULL,
    created DOUBLE PRECISION NOT NULL,
    updated DOUBLE PRECISION NOT NULL,
    status TEXT NOT NULL,               -- active | finished
    config TEXT NOT NULL,
    report TEXT
);

CREATE INDEX IF NOT EXISTS sessions_candidate ON sessions (candidate, created);

CREATE TABLE IF NOT EXISTS grades (
    session_id TEXT NOT NULL,
    turn INTEGER NOT NULL,
    question_id TEXT NOT NULL,
    status TEXT NOT NULL,               -- graded | pending
    grade TEXT NOT NULL,
    updated DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (session_id, turn)
);

-- who is answering which step: two windows (or two app instances) must not both
-- answer the question a session is waiting at; the first claim wins
CREATE TABLE IF NOT EXISTS claims (
    session_id TEXT NOT NULL,
    step TEXT NOT NULL,                 -- the checkpoint id the answer is given at
    at DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (session_id, step)
);

CREATE TABLE IF NOT EXISTS users (
    name TEXT PRIMARY KEY,
    hash TEXT NOT NULL,
    created DOUBLE PRECISION NOT NULL
);

CREATE TABLE IF NOT EXISTS review_cards (
    candidate TEXT NOT NULL,
    question_id TEXT NOT NULL,
    point TEXT NOT NULL,
    question TEXT NOT NULL,
    reference TEXT,
    topic TEXT,
    card TEXT NOT NULL,                 -- py-fsrs Card.to_json()
    due DOUBLE PRECISION NOT NULL,      -- epoch seconds, from the card
    updated DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (candidate, question_id, point)
);
