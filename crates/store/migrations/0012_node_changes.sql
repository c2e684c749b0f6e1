-- What one app node changed that the others cache (an activity's seats, a municipality's
-- content): every node reads the rows after the last one it saw, a few times a second, and
-- drops its cached copy. Only topics, never content; rows older than an hour are pruned.
CREATE TABLE node_changes (
    seq   {id},
    at    {ts} NOT NULL,
    topic TEXT NOT NULL
);
CREATE INDEX node_changes_by_time ON node_changes (at);
