-- Open support without needs assessment: activities (support groups, lectures, courses, study
-- visits, drop-in, digital meetings) with their occasions, sign-ups without an account with a
-- waitlist, attendance per occasion, and the e-mail outbox that commits with each change.

CREATE TABLE activities (
    id              BIGSERIAL PRIMARY KEY,
    kommunkod       TEXT NOT NULL REFERENCES municipalities(kommunkod),
    -- support_group, lecture, course, study_visit, drop_in, digital_meeting.
    kind            TEXT NOT NULL,
    -- dementia, stroke, mental_illness, intellectual_disability, addiction, young_carers,
    -- bereavement, general.
    theme           TEXT NOT NULL,
    title           TEXT NOT NULL,
    description     TEXT NOT NULL,
    -- Who it is for, in the board's words.
    audience        TEXT NOT NULL,
    for_young_carers BOOLEAN NOT NULL,
    place_name      TEXT NOT NULL,
    place_address   TEXT,
    step_free       BOOLEAN NOT NULL,
    hearing_loop    BOOLEAN NOT NULL,
    -- Met online; the link goes to those signed up, never on the public page.
    digital         BOOLEAN NOT NULL,
    meeting_link    TEXT,
    capacity        BIGINT NOT NULL,
    -- Free text ("Kostnadsfritt", "50 kr för fika"); empty means free.
    cost            TEXT NOT NULL,
    -- The last day to sign up (inclusive), or none.
    signup_deadline DATE,
    -- Days before each occasion that a reminder is sent; 0 sends none.
    reminder_days   BIGINT NOT NULL,
    responsible_id  BIGINT REFERENCES staff_users(id),
    -- open, cancelled.
    status          TEXT NOT NULL,
    cancel_reason   TEXT,
    created_at      TIMESTAMPTZ NOT NULL,
    created_by      BIGINT REFERENCES staff_users(id),
    updated_at      TIMESTAMPTZ NOT NULL,
    is_demo         BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX activities_by_kommun ON activities (kommunkod, status, id);

CREATE TABLE activity_occasions (
    id            BIGSERIAL PRIMARY KEY,
    activity_id   BIGINT NOT NULL REFERENCES activities(id),
    -- Local wall time in Europe/Stockholm.
    starts_at     TIMESTAMP NOT NULL,
    ends_at       TIMESTAMP NOT NULL,
    cancelled     BOOLEAN NOT NULL DEFAULT FALSE,
    cancel_reason TEXT,
    -- iCalendar SEQUENCE: bumped on every change a subscriber must see.
    sequence      BIGINT NOT NULL DEFAULT 0,
    updated_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX occasions_by_activity ON activity_occasions (activity_id, starts_at);

CREATE TABLE signups (
    id           BIGSERIAL PRIMARY KEY,
    kommunkod    TEXT NOT NULL REFERENCES municipalities(kommunkod),
    activity_id  BIGINT NOT NULL REFERENCES activities(id),
    -- The unguessable token (128 bits) in the carer's links to see or cancel the sign-up.
    -- Kept, not hashed, because every later confirmation (a waitlist promotion) carries it.
    token        TEXT NOT NULL UNIQUE,
    name         TEXT NOT NULL,
    email        TEXT,
    phone        TEXT,
    -- The e-mail or phone number normalised: one live sign-up per person and activity.
    contact_key  TEXT NOT NULL,
    -- interpreter, accessibility, care_for_recipient (comma-separated).
    needs        TEXT NOT NULL,
    interpreter_language TEXT,
    needs_note   TEXT,
    -- For the open-support statistics; both optional.
    age_group    TEXT,
    gender       TEXT,
    consent      BOOLEAN NOT NULL,
    -- confirmed, waitlisted, cancelled.
    status       TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    status_at    TIMESTAMPTZ NOT NULL,
    -- carer, staff, occasion (the activity was cancelled).
    cancelled_by TEXT,
    is_demo      BOOLEAN NOT NULL DEFAULT FALSE
);
-- Capacity is counted from this index, and it stops a second live sign-up by the same person.
CREATE INDEX signups_by_activity ON signups (activity_id, status, id);
CREATE UNIQUE INDEX signups_one_live_per_person ON signups (activity_id, contact_key) WHERE status <> 'cancelled';

CREATE TABLE attendance (
    signup_id   BIGINT NOT NULL REFERENCES signups(id),
    occasion_id BIGINT NOT NULL REFERENCES activity_occasions(id),
    attended    BOOLEAN NOT NULL,
    recorded_by BIGINT REFERENCES staff_users(id),
    recorded_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (signup_id, occasion_id)
);

-- Messages written in the same transaction as the change they tell of; a worker sends them.
CREATE TABLE outbox (
    id              BIGSERIAL PRIMARY KEY,
    kommunkod       TEXT REFERENCES municipalities(kommunkod),
    -- The Message-ID header: the same on every attempt, so a resend can be recognised.
    message_id      TEXT NOT NULL UNIQUE,
    -- confirmation, waitlisted, promotion, reminder, cancelled, occasion_cancelled, message.
    kind            TEXT NOT NULL,
    -- What the message is about, e.g. signup:12 (to void reminders of a cancelled sign-up).
    about           TEXT NOT NULL,
    to_addr         TEXT NOT NULL,
    subject         TEXT NOT NULL,
    body_text       TEXT NOT NULL,
    body_html       TEXT NOT NULL,
    -- pending, sent, void (no longer to be sent, e.g. the reminder of a cancelled sign-up).
    status          TEXT NOT NULL,
    attempts        BIGINT NOT NULL DEFAULT 0,
    -- Unix seconds: not before this (reminders wait; failures back off).
    next_attempt_at BIGINT NOT NULL,
    -- Unix seconds: a worker holds the message until then.
    claimed_until   BIGINT,
    last_error      TEXT,
    created_at      TIMESTAMPTZ NOT NULL,
    sent_at         TIMESTAMPTZ
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
CREATE INDEX outbox_about ON outbox (about, status);
