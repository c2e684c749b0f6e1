-- Staff workspace, part 1: units, sign-in (passwords, second factor, lockout, sessions),
-- API tokens, and assignment of inbox items.

CREATE TABLE units (
    id        {id},
    kommunkod TEXT NOT NULL REFERENCES municipalities(kommunkod),
    name      TEXT NOT NULL,
    UNIQUE (kommunkod, name)
);

CREATE TABLE staff_units (
    user_id {int} NOT NULL REFERENCES staff_users(id),
    unit_id {int} NOT NULL REFERENCES units(id),
    PRIMARY KEY (user_id, unit_id)
);

ALTER TABLE staff_users ADD COLUMN totp_secret TEXT;
ALTER TABLE staff_users ADD COLUMN totp_last_step {int};
ALTER TABLE staff_users ADD COLUMN failed_logins {int} NOT NULL DEFAULT 0;
ALTER TABLE staff_users ADD COLUMN locked_until {ts};
ALTER TABLE staff_users ADD COLUMN password_changed_at {ts};

CREATE TABLE staff_recovery_codes (
    id        {id},
    user_id   {int} NOT NULL REFERENCES staff_users(id),
    code_hash TEXT NOT NULL,
    used_at   {ts}
);
CREATE INDEX staff_recovery_codes_by_user ON staff_recovery_codes (user_id);

-- Sessions live in the database so every app node shares them. The id is stored hashed.
CREATE TABLE sessions (
    id_hash        TEXT PRIMARY KEY,
    user_id        {int} NOT NULL REFERENCES staff_users(id),
    created_at     {ts} NOT NULL,
    last_seen_at   {ts} NOT NULL,
    expires_at     {ts} NOT NULL,
    csrf_token     TEXT NOT NULL,
    -- Set once the second factor (or enrolment) is done; until then only the TOTP pages work.
    mfa_done       {bool} NOT NULL DEFAULT {false},
    revoked_at     {ts},
    client_addr    TEXT,
    -- A second-factor secret being enrolled, until its first code is confirmed.
    pending_totp   TEXT
);
CREATE INDEX sessions_by_user ON sessions (user_id);

-- Every sign-in attempt, for rate limits per account and per address.
CREATE TABLE login_attempts (
    id          {id},
    at          {ts} NOT NULL,
    email       TEXT NOT NULL,
    client_addr TEXT,
    success     {bool} NOT NULL
);
CREATE INDEX login_attempts_by_addr ON login_attempts (client_addr, at);

CREATE TABLE api_tokens (
    id           {id},
    user_id      {int} NOT NULL REFERENCES staff_users(id),
    token_hash   TEXT NOT NULL UNIQUE,
    scopes       TEXT NOT NULL,
    created_at   {ts} NOT NULL,
    revoked_at   {ts},
    last_used_at {ts}
);

ALTER TABLE contact_requests ADD COLUMN assigned_to {int} REFERENCES staff_users(id);
ALTER TABLE contact_requests ADD COLUMN assigned_at {ts};
CREATE INDEX contact_requests_by_age ON contact_requests (kommunkod, received_at, id);

-- Whether staff who read cases must use a second factor (on unless the municipality turns it off).
ALTER TABLE municipality_settings ADD COLUMN require_mfa {bool} NOT NULL DEFAULT {true};
