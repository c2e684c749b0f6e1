-- Foundation: municipalities, their settings and contacts, catalogues (append-only versions),
-- contact requests, staff accounts, and the hash-chained audit log.

CREATE TABLE municipalities (
    kommunkod   TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    region_code TEXT NOT NULL,
    region_name TEXT NOT NULL
);

CREATE TABLE municipality_settings (
    kommunkod         TEXT PRIMARY KEY REFERENCES municipalities(kommunkod),
    switchboard_phone TEXT,
    email             TEXT,
    visiting_address  TEXT,
    opening_hours     TEXT,
    board_name        TEXT NOT NULL,
    website           TEXT,
    is_demo           {bool} NOT NULL DEFAULT {false},
    updated_at        {ts} NOT NULL
);

-- Carer support officers and complaint contacts (administration, ombudsmen) per municipality.
CREATE TABLE municipality_contacts (
    id        {id},
    kommunkod TEXT NOT NULL REFERENCES municipalities(kommunkod),
    kind      TEXT NOT NULL,
    name      TEXT NOT NULL,
    title     TEXT,
    phone     TEXT,
    email     TEXT,
    note      TEXT,
    position  {int} NOT NULL DEFAULT 0
);
CREATE INDEX municipality_contacts_by_kommun ON municipality_contacts (kommunkod, position);

-- A catalogue is stored whole as JSON, one row per version; the newest version is current.
-- owner is a kommunkod, or 'national' for the entries every municipality shows.
CREATE TABLE catalogue_versions (
    owner      TEXT NOT NULL,
    version    {int} NOT NULL,
    data       TEXT NOT NULL,
    created_at {ts} NOT NULL,
    created_by TEXT NOT NULL,
    PRIMARY KEY (owner, version)
);

CREATE TABLE contact_requests (
    id                   {id},
    kommunkod            TEXT NOT NULL REFERENCES municipalities(kommunkod),
    reference            TEXT NOT NULL,
    received_at          {ts} NOT NULL,
    anonymous            {bool} NOT NULL,
    name                 TEXT,
    phone                TEXT,
    email                TEXT,
    personnummer         TEXT,
    relation             TEXT,
    recipient_age_group  TEXT,
    recipient_conditions TEXT NOT NULL,
    recipient_is_child   {bool} NOT NULL,
    carer_age_group      TEXT,
    young_carer          {bool} NOT NULL,
    involves_child       {bool} NOT NULL,
    wants                TEXT NOT NULL,
    message              TEXT,
    preferred_time       TEXT,
    consent              {bool} NOT NULL,
    status               TEXT NOT NULL DEFAULT 'new',
    is_demo              {bool} NOT NULL DEFAULT {false},
    UNIQUE (kommunkod, reference)
);
CREATE INDEX contact_requests_queue ON contact_requests (kommunkod, status, id);

CREATE TABLE staff_users (
    id            {id},
    kommunkod     TEXT REFERENCES municipalities(kommunkod),
    email         TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    role          TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    disabled      {bool} NOT NULL DEFAULT {false},
    is_demo       {bool} NOT NULL DEFAULT {false},
    created_at    {ts} NOT NULL
);

CREATE TABLE audit_log (
    seq         {int} PRIMARY KEY,
    at          {ts} NOT NULL,
    actor       TEXT NOT NULL,
    role        TEXT NOT NULL,
    kommunkod   TEXT,
    action      TEXT NOT NULL,
    object_kind TEXT NOT NULL,
    object_id   TEXT,
    persons     TEXT NOT NULL,
    reason      TEXT,
    request_id  TEXT,
    client_addr TEXT,
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL
);

-- One row: the chain's head. Updating it serialises appends on every backend.
CREATE TABLE audit_head (
    id   {int} PRIMARY KEY CHECK (id = 1),
    seq  {int} NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
