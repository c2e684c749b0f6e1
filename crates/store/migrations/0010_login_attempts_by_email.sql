-- Sign-in limits count failures per account, per account and address, and per address;
-- old attempts are pruned by time.
CREATE INDEX login_attempts_by_email ON login_attempts (email, at);
CREATE INDEX login_attempts_by_time ON login_attempts (at);
