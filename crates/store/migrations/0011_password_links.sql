-- One-time links with which an account holder sets a new password after an administrator's
-- reset: nobody but the holder ever knows the password. Only the link's hash is kept.
CREATE TABLE password_links (
    id         {id},
    user_id    {int} NOT NULL REFERENCES staff_users(id),
    token_hash TEXT NOT NULL UNIQUE,
    created_at {ts} NOT NULL,
    expires_at {ts} NOT NULL,
    used_at    {ts}
);
CREATE INDEX password_links_by_user ON password_links (user_id);
