-- Staff workspace, part 2: persons (with protected identity), relations, cases, the
-- append-only journal with corrections (felmarkering), and emergency access.

CREATE TABLE persons (
    id                    INTEGER PRIMARY KEY AUTOINCREMENT,
    kommunkod             TEXT NOT NULL REFERENCES municipalities(kommunkod),
    -- personnummer, samordningsnummer, or none (an internal reference only).
    id_kind               TEXT NOT NULL,
    id_number             TEXT,
    internal_ref          TEXT NOT NULL,
    given_name            TEXT NOT NULL,
    family_name           TEXT NOT NULL,
    phone                 TEXT,
    email                 TEXT,
    -- Empty for a person with skyddad folkbokföring: their address is kept apart.
    address_line          TEXT,
    postal_code           TEXT,
    city                  TEXT,
    -- none, sekretessmarkering, skyddad_folkbokforing.
    protection            TEXT NOT NULL,
    children_in_household INTEGER NOT NULL DEFAULT 0,
    created_at            TEXT NOT NULL,
    created_by            INTEGER REFERENCES staff_users(id),
    is_demo               INTEGER NOT NULL DEFAULT 0,
    UNIQUE (kommunkod, internal_ref)
);
CREATE UNIQUE INDEX persons_by_number ON persons (kommunkod, id_number) WHERE id_number IS NOT NULL;
CREATE INDEX persons_by_name ON persons (kommunkod, family_name, given_name);

-- The address of a person with skyddad folkbokföring: never joined into a list, search,
-- export, letter or log.
CREATE TABLE protected_addresses (
    person_id    INTEGER PRIMARY KEY REFERENCES persons(id),
    address_line TEXT NOT NULL,
    postal_code  TEXT,
    city         TEXT,
    recorded_at  TEXT NOT NULL
);

CREATE TABLE person_relations (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    kommunkod      TEXT NOT NULL REFERENCES municipalities(kommunkod),
    carer_id       INTEGER NOT NULL REFERENCES persons(id),
    recipient_id   INTEGER NOT NULL REFERENCES persons(id),
    kind           TEXT NOT NULL,
    lives_together INTEGER NOT NULL,
    created_at     TEXT NOT NULL,
    UNIQUE (carer_id, recipient_id)
);

CREATE TABLE cases (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    kommunkod          TEXT NOT NULL REFERENCES municipalities(kommunkod),
    -- Shown to people, unique in the municipality: year and a running number.
    case_number        TEXT NOT NULL,
    -- open-support, application, other.
    kind               TEXT NOT NULL,
    status             TEXT NOT NULL,
    unit_id            INTEGER REFERENCES units(id),
    assigned_to        INTEGER REFERENCES staff_users(id),
    contact_request_id INTEGER REFERENCES contact_requests(id),
    opened_at          TEXT NOT NULL,
    opened_by          INTEGER REFERENCES staff_users(id),
    is_demo            INTEGER NOT NULL DEFAULT 0,
    UNIQUE (kommunkod, case_number)
);
CREATE INDEX cases_by_assignee ON cases (assigned_to, id);
CREATE INDEX cases_by_unit ON cases (unit_id, id);

CREATE TABLE case_persons (
    case_id   INTEGER NOT NULL REFERENCES cases(id),
    person_id INTEGER NOT NULL REFERENCES persons(id),
    -- carer, care_recipient, other.
    role      TEXT NOT NULL,
    PRIMARY KEY (case_id, person_id)
);
CREATE INDEX case_persons_by_person ON case_persons (person_id);

-- The status timeline and other events of a case.
CREATE TABLE case_events (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id INTEGER NOT NULL REFERENCES cases(id),
    at      TEXT NOT NULL,
    by_user INTEGER REFERENCES staff_users(id),
    kind    TEXT NOT NULL,
    detail  TEXT
);
CREATE INDEX case_events_by_case ON case_events (case_id, id);

-- The journal is append-only: no entry is changed or removed.
CREATE TABLE journal_entries (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id   INTEGER NOT NULL REFERENCES cases(id),
    kommunkod TEXT NOT NULL,
    at        TEXT NOT NULL,
    author    INTEGER NOT NULL REFERENCES staff_users(id),
    kind      TEXT NOT NULL,
    text      TEXT NOT NULL
);
CREATE INDEX journal_entries_by_case ON journal_entries (case_id, id);

-- A wrong entry is marked wrong, with who, when and why; the entry stays readable.
CREATE TABLE journal_marks (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    entry_id INTEGER NOT NULL REFERENCES journal_entries(id),
    at       TEXT NOT NULL,
    by_user  INTEGER NOT NULL REFERENCES staff_users(id),
    reason   TEXT NOT NULL
);
CREATE INDEX journal_marks_by_entry ON journal_marks (entry_id);

-- Access outside the own cases, with the reason given; time-limited and reviewed.
CREATE TABLE emergency_access (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    INTEGER NOT NULL REFERENCES staff_users(id),
    case_id    INTEGER NOT NULL REFERENCES cases(id),
    reason     TEXT NOT NULL,
    granted_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX emergency_access_by_user ON emergency_access (user_id, case_id, expires_at);
