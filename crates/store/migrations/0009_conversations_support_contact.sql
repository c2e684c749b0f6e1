-- Individual conversations with the carer support officer (bookable times, bookings without an
-- account, conversations registered by staff), the municipality's recording mode for them, and
-- the support contact (stödkontakt) offered to every carer in contact with the municipality.

-- How open-support conversations are recorded: named, pseudonymous, or anonymous (counts only).
CREATE TABLE open_support_settings (
    kommunkod      TEXT PRIMARY KEY REFERENCES municipalities(kommunkod),
    recording_mode TEXT NOT NULL,
    updated_at     {ts} NOT NULL,
    updated_by     {int} REFERENCES staff_users(id)
);

-- A time an officer offers for a conversation.
CREATE TABLE conversation_slots (
    id          {id},
    kommunkod   TEXT NOT NULL REFERENCES municipalities(kommunkod),
    officer_id  {int} NOT NULL REFERENCES staff_users(id),
    -- Local wall time in Europe/Stockholm.
    starts_at   {local_ts} NOT NULL,
    ends_at     {local_ts} NOT NULL,
    -- in_person, phone, video.
    mode        TEXT NOT NULL,
    place       TEXT,
    -- open, cancelled.
    status      TEXT NOT NULL,
    created_at  {ts} NOT NULL,
    is_demo     {bool} NOT NULL DEFAULT {false}
);
CREATE INDEX conversation_slots_by_kommun ON conversation_slots (kommunkod, starts_at);

-- A conversation: booked by a carer on a slot, or registered by staff after a call.
CREATE TABLE conversations (
    id          {id},
    kommunkod   TEXT NOT NULL REFERENCES municipalities(kommunkod),
    slot_id     {int} REFERENCES conversation_slots(id),
    officer_id  {int} REFERENCES staff_users(id),
    -- The carer's link to see, rebook or cancel a booking; none for registered calls.
    token       TEXT UNIQUE,
    starts_at   {local_ts} NOT NULL,
    -- in_person, phone, video.
    mode        TEXT NOT NULL,
    -- online (booked by the carer), staff (registered by staff).
    channel     TEXT NOT NULL,
    -- named, pseudonymous, anonymous: the municipality's mode when it was recorded.
    recording   TEXT NOT NULL,
    name        TEXT,
    pseudonym   TEXT,
    email       TEXT,
    phone       TEXT,
    age_group   TEXT,
    gender      TEXT,
    young_carer {bool} NOT NULL,
    -- What the carer wants to talk about, as they wrote it (named and pseudonymous only).
    topic       TEXT,
    -- booked, cancelled, held, not_held.
    status      TEXT NOT NULL,
    created_at  {ts} NOT NULL,
    status_at   {ts} NOT NULL,
    created_by  {int} REFERENCES staff_users(id),
    is_demo     {bool} NOT NULL DEFAULT {false}
);
-- One live booking per slot: two carers racing for a time cannot both get it.
CREATE UNIQUE INDEX conversations_one_per_slot ON conversations (slot_id) WHERE status = 'booked' OR status = 'held';
CREATE INDEX conversations_by_kommun ON conversations (kommunkod, starts_at);

-- The offer of a named support contact, and the carer's answer.
CREATE TABLE support_contacts (
    id          {id},
    kommunkod   TEXT NOT NULL REFERENCES municipalities(kommunkod),
    -- contact_request, signup, conversation: where the carer came in.
    carer_kind  TEXT NOT NULL,
    carer_id    {int} NOT NULL,
    contact_id  {int} NOT NULL REFERENCES staff_users(id),
    offered_on  {date} NOT NULL,
    -- accepted, declined, or none yet.
    answer      TEXT,
    answered_on {date},
    recorded_by {int} REFERENCES staff_users(id),
    recorded_at {ts} NOT NULL,
    UNIQUE (carer_kind, carer_id)
);
CREATE INDEX support_contacts_by_kommun ON support_contacts (kommunkod, offered_on);
