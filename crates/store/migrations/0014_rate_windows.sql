-- Anonymous writes counted per key (a client address, a municipality) and minute, shared by
-- every app node on the database. Only counts: rows older than a few minutes are pruned.
CREATE TABLE rate_windows (
    key          TEXT NOT NULL,
    window_start {int} NOT NULL,
    hits         {int} NOT NULL,
    PRIMARY KEY (key, window_start)
);
