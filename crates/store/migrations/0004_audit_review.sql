-- Log review: by municipality and time, and by who acted.
CREATE INDEX audit_log_by_kommun_time ON audit_log (kommunkod, at);
CREATE INDEX audit_log_by_actor_time ON audit_log (actor, at);
