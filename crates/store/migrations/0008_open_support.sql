-- Open support without needs assessment: activities (support groups, lectures, courses, study
-- visits, drop-in, digital meetings) with their occasions, sign-ups without an account with a
-- waitlist, attendance per occasion, and the e-mail outbox that commits with each change.

CREATE TABLE activities (
    id              {id},
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
    for_young_carers {bool} NOT NULL,
    place_name      TEXT NOT NULL,
    place_address   TEXT,
    step_free       {bool} NOT NULL,
    hearing_loop    {bool} NOT NULL,
    -- Met online; the link goes to those signed up, never on the public page.
    digital         {bool} NOT NULL,
    meeting_link    TEXT,
    capacity        {int} NOT NULL,
    -- Free text ("Kostnadsfritt", "50 kr för fika"); empty means free.
    cost            TEXT NOT NULL,
    -- The last day to sign up (inclusive), or none.
    signup_deadline {date},
    -- Days before each occasion that a reminder is sent; 0 sends none.
    reminder_days   {int} NOT NULL,
    responsible_id  {int} REFERENCES staff_users(id),
    -- open, cancelled.
    status          TEXT NOT NULL,
    cancel_reason   TEXT,
    created_at      {ts} NOT NULL,
    created_by      {int} REFERENCES staff_users(id),
    updated_at      {ts} NOT NULL,
    is_demo         {bool} NOT NULL DEFAULT {false}
);
CREATE INDEX activities_by_kommun ON activities (kommunkod, status, id);

CREATE TABLE activity_occasions (
    id            {id},
    activity_id   {int} NOT NULL REFERENCES activities(id),
    -- Local wall time in Europe/Stockholm.
    starts_at     {local_ts} NOT NULL,
    ends_at       {local_ts} NOT NULL,
    cancelled     {bool} NOT NULL DEFAULT {false},
    cancel_reason TEXT,
    -- iCalendar SEQUENCE: bumped on every change a subscriber must see.
    sequence      {int} NOT NULL DEFAULT 0,
    updated_at    {ts} NOT NULL
);
CREATE INDEX occasions_by_activity ON activity_occasions (activity_id, starts_at);

CREATE TABLE signups (
    id           {id},
    kommunkod    TEXT NOT NULL REFERENCES municipalities(kommunkod),
    activity_id  {int} NOT NULL REFERENCES activities(id),
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
    consent      {bool} NOT NULL,
    -- confirmed, waitlisted, cancelled.
    status       TEXT NOT NULL,
    created_at   {ts} NOT NULL,
    status_at    {ts} NOT NULL,
    -- carer, staff, occasion (the activity was cancelled).
    cancelled_by TEXT,
    is_demo      {bool} NOT NULL DEFAULT {false}
);
-- Capacity is counted from this index, and it stops a second live sign-up by the same person.
CREATE INDEX signups_by_activity ON signups (activity_id, status, id);
CREATE UNIQUE INDEX signups_one_live_per_person ON signups (activity_id, contact_key) WHERE status <> 'cancelled';

CREATE TABLE attendance (
    signup_id   {int} NOT NULL REFERENCES signups(id),
    occasion_id {int} NOT NULL REFERENCES activity_occasions(id),
    attended    {bool} NOT NULL,
    recorded_by {int} REFERENCES staff_users(id),
    recorded_at {ts} NOT NULL,
    PRIMARY KEY (signup_id, occasion_id)
);

-- Messages written in the same transaction as the change they tell of; a worker sends them.
CREATE TABLE outbox (
    id              {id},
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
    attempts        {int} NOT NULL DEFAULT 0,
    -- Unix seconds: not before this (reminders wait; failures back off).
    next_attempt_at {int} NOT NULL,
    -- Unix seconds: a worker holds the message until then.
    claimed_until   {int},
    last_error      TEXT,
    created_at      {ts} NOT NULL,
    sent_at         {ts}
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
CREATE INDEX outbox_about ON outbox (about, status);
