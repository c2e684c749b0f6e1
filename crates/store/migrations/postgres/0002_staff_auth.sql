-- Staff workspace, part 1: units, sign-in (passwords, second factor, lockout, sessions),
-- API tokens, and assignment of inbox items.

CREATE TABLE units (
    id        BIGSERIAL PRIMARY KEY,
    kommunkod TEXT NOT NULL REFERENCES municipalities(kommunkod),
    name      TEXT NOT NULL,
    UNIQUE (kommunkod, name)
);

CREATE TABLE staff_units (
    user_id BIGINT NOT NULL REFERENCES staff_users(id),
    unit_id BIGINT NOT NULL REFERENCES units(id),
    PRIMARY KEY (user_id, unit_id)
);

ALTER TABLE staff_users ADD COLUMN totp_secret TEXT;
ALTER TABLE staff_users ADD COLUMN totp_last_step BIGINT;
ALTER TABLE staff_users ADD COLUMN failed_logins BIGINT NOT NULL DEFAULT 0;
ALTER TABLE staff_users ADD COLUMN locked_until TIMESTAMPTZ;
ALTER TABLE staff_users ADD COLUMN password_changed_at TIMESTAMPTZ;

CREATE TABLE staff_recovery_codes (
    id        BIGSERIAL PRIMARY KEY,
    user_id   BIGINT NOT NULL REFERENCES staff_users(id),
    code_hash TEXT NOT NULL,
    used_at   TIMESTAMPTZ
);
CREATE INDEX staff_recovery_codes_by_user ON staff_recovery_codes (user_id);

-- Sessions live in the database so every app node shares them. The id is stored hashed.
CREATE TABLE sessions (
    id_hash        TEXT PRIMARY KEY,
    user_id        BIGINT NOT NULL REFERENCES staff_users(id),
    created_at     TIMESTAMPTZ NOT NULL,
    last_seen_at   TIMESTAMPTZ NOT NULL,
    expires_at     TIMESTAMPTZ NOT NULL,
    csrf_token     TEXT NOT NULL,
    -- Set once the second factor (or enrolment) is done; until then only the TOTP pages work.
    mfa_done       BOOLEAN NOT NULL DEFAULT FALSE,
    revoked_at     TIMESTAMPTZ,
    client_addr    TEXT,
    -- A second-factor secret being enrolled, until its first code is confirmed.
    pending_totp   TEXT
);
CREATE INDEX sessions_by_user ON sessions (user_id);

-- Every sign-in attempt, for rate limits per account and per address.
CREATE TABLE login_attempts (
    id          BIGSERIAL PRIMARY KEY,
    at          TIMESTAMPTZ NOT NULL,
    email       TEXT NOT NULL,
    client_addr TEXT,
    success     BOOLEAN NOT NULL
);
CREATE INDEX login_attempts_by_addr ON login_attempts (client_addr, at);

CREATE TABLE api_tokens (
    id           BIGSERIAL PRIMARY KEY,
    user_id      BIGINT NOT NULL REFERENCES staff_users(id),
    token_hash   TEXT NOT NULL UNIQUE,
    scopes       TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    revoked_at   TIMESTAMPTZ,
    last_used_at TIMESTAMPTZ
);

ALTER TABLE contact_requests ADD COLUMN assigned_to BIGINT REFERENCES staff_users(id);
ALTER TABLE contact_requests ADD COLUMN assigned_at TIMESTAMPTZ;
CREATE INDEX contact_requests_by_age ON contact_requests (kommunkod, received_at, id);

-- Whether staff who read cases must use a second factor (on unless the municipality turns it off).
ALTER TABLE municipality_settings ADD COLUMN require_mfa BOOLEAN NOT NULL DEFAULT TRUE;
