-- 0001: the first schema of the store.
--
-- One file for SQLite and PostgreSQL (probe/store/_migrations.py):
--   * series.id is written "INTEGER PRIMARY KEY", SQLite's numbered rowid; for
--     PostgreSQL the runner turns exactly that phrase into an identity column.
--   * Instants are DOUBLE PRECISION (REAL affinity in SQLite, 8 bytes in PostgreSQL);
--     never REAL, which is a 4-byte float in PostgreSQL.
--   * BOOLEAN is stored as 0/1 by SQLite and as boolean by PostgreSQL; queries only
--     test it (NOT ok). Durations are JSON text (jsonb would do on PostgreSQL, but
--     text keeps both readers alike).
-- Statements end with ";" at the end of a line: the runner splits on complete
-- statements.

-- One row per (account, region): the "series" a probe belongs to.
CREATE TABLE series (
    id INTEGER PRIMARY KEY,
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    UNIQUE (account, region)
);

-- Runs of consecutive evidence probes with the same outcome (probe.store.base.Segment).
CREATE TABLE segments (
    series_id INTEGER NOT NULL REFERENCES series (id),
    first_ts DOUBLE PRECISION NOT NULL,
    last_ts DOUBLE PRECISION NOT NULL,
    probes INTEGER NOT NULL,
    ok BOOLEAN NOT NULL,
    max_step DOUBLE PRECISION NOT NULL,
    prev_ts DOUBLE PRECISION,
    PRIMARY KEY (series_id, first_ts),
    CHECK (last_ts >= first_ts AND probes >= 1 AND max_step >= 0)
);

-- Every failed evidence probe in full: the claim evidence. One per (series, ts): of
-- several failures at one instant the smallest (step, error) is kept, as R1 does.
CREATE TABLE failures (
    series_id INTEGER NOT NULL REFERENCES series (id),
    ts DOUBLE PRECISION NOT NULL,
    step TEXT,
    error TEXT,
    durations TEXT,
    PRIMARY KEY (series_id, ts)
);

-- Failures that are not evidence (auth_rejected, internal): no probe for R1, reported
-- apart (SLA_RULES, Input).
CREATE TABLE ignored (
    series_id INTEGER NOT NULL REFERENCES series (id),
    ts DOUBLE PRECISION NOT NULL,
    error TEXT NOT NULL,
    step TEXT,
    durations TEXT,
    PRIMARY KEY (series_id, ts, error)
);

-- R3: maintenance windows declared through the agent. accounts: '*' or a JSON array.
CREATE TABLE maintenance_windows (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('scheduled', 'emergency', 'customer_request')),
    accounts TEXT NOT NULL,
    start_ts DOUBLE PRECISION NOT NULL,
    end_ts DOUBLE PRECISION NOT NULL,
    name TEXT NOT NULL,
    created_at DOUBLE PRECISION NOT NULL,
    source TEXT NOT NULL,
    CHECK (end_ts > start_ts)
);
