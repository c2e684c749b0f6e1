-- Staff workspace, part 2: persons (with protected identity), relations, cases, the
-- append-only journal with corrections (felmarkering), and emergency access.

CREATE TABLE persons (
    id                    {id},
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
    children_in_household {bool} NOT NULL DEFAULT {false},
    created_at            {ts} NOT NULL,
    created_by            {int} REFERENCES staff_users(id),
    is_demo               {bool} NOT NULL DEFAULT {false},
    UNIQUE (kommunkod, internal_ref)
);
CREATE UNIQUE INDEX persons_by_number ON persons (kommunkod, id_number) WHERE id_number IS NOT NULL;
CREATE INDEX persons_by_name ON persons (kommunkod, family_name, given_name);

-- The address of a person with skyddad folkbokföring: never joined into a list, search,
-- export, letter or log.
CREATE TABLE protected_addresses (
    person_id    {int} PRIMARY KEY REFERENCES persons(id),
    address_line TEXT NOT NULL,
    postal_code  TEXT,
    city         TEXT,
    recorded_at  {ts} NOT NULL
);

CREATE TABLE person_relations (
    id             {id},
    kommunkod      TEXT NOT NULL REFERENCES municipalities(kommunkod),
    carer_id       {int} NOT NULL REFERENCES persons(id),
    recipient_id   {int} NOT NULL REFERENCES persons(id),
    kind           TEXT NOT NULL,
    lives_together {bool} NOT NULL,
    created_at     {ts} NOT NULL,
    UNIQUE (carer_id, recipient_id)
);

CREATE TABLE cases (
    id                 {id},
    kommunkod          TEXT NOT NULL REFERENCES municipalities(kommunkod),
    -- Shown to people, unique in the municipality: year and a running number.
    case_number        TEXT NOT NULL,
    -- open-support, application, other.
    kind               TEXT NOT NULL,
    status             TEXT NOT NULL,
    unit_id            {int} REFERENCES units(id),
    assigned_to        {int} REFERENCES staff_users(id),
    contact_request_id {int} REFERENCES contact_requests(id),
    opened_at          {ts} NOT NULL,
    opened_by          {int} REFERENCES staff_users(id),
    is_demo            {bool} NOT NULL DEFAULT {false},
    UNIQUE (kommunkod, case_number)
);
CREATE INDEX cases_by_assignee ON cases (assigned_to, id);
CREATE INDEX cases_by_unit ON cases (unit_id, id);

CREATE TABLE case_persons (
    case_id   {int} NOT NULL REFERENCES cases(id),
    person_id {int} NOT NULL REFERENCES persons(id),
    -- carer, care_recipient, other.
    role      TEXT NOT NULL,
    PRIMARY KEY (case_id, person_id)
);
CREATE INDEX case_persons_by_person ON case_persons (person_id);

-- The status timeline and other events of a case.
CREATE TABLE case_events (
    id      {id},
    case_id {int} NOT NULL REFERENCES cases(id),
    at      {ts} NOT NULL,
    by_user {int} REFERENCES staff_users(id),
    kind    TEXT NOT NULL,
    detail  TEXT
);
CREATE INDEX case_events_by_case ON case_events (case_id, id);

-- The journal is append-only: no entry is changed or removed.
CREATE TABLE journal_entries (
    id        {id},
    case_id   {int} NOT NULL REFERENCES cases(id),
    kommunkod TEXT NOT NULL,
    at        {ts} NOT NULL,
    author    {int} NOT NULL REFERENCES staff_users(id),
    kind      TEXT NOT NULL,
    text      TEXT NOT NULL
);
CREATE INDEX journal_entries_by_case ON journal_entries (case_id, id);

-- A wrong entry is marked wrong, with who, when and why; the entry stays readable.
CREATE TABLE journal_marks (
    id       {id},
    entry_id {int} NOT NULL REFERENCES journal_entries(id),
    at       {ts} NOT NULL,
    by_user  {int} NOT NULL REFERENCES staff_users(id),
    reason   TEXT NOT NULL
);
CREATE INDEX journal_marks_by_entry ON journal_marks (entry_id);

-- Access outside the own cases, with the reason given; time-limited and reviewed.
CREATE TABLE emergency_access (
    id         {id},
    user_id    {int} NOT NULL REFERENCES staff_users(id),
    case_id    {int} NOT NULL REFERENCES cases(id),
    reason     TEXT NOT NULL,
    granted_at {ts} NOT NULL,
    expires_at {ts} NOT NULL
);
CREATE INDEX emergency_access_by_user ON emergency_access (user_id, case_id, expires_at);
