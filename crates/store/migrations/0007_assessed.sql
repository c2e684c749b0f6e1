-- Assessed support (bistånd): the application, the investigation, kommunicering, decisions
-- with notice and the appeal clock, appeals, execution, follow-up, and the letters' text
-- blocks as the municipality adjusted them. Rows are added, not changed: where a step is
-- recorded on an existing row (a notice, an answer, a withdrawal) the column is set once.

-- The date the application was received starts the case's clocks.
ALTER TABLE cases ADD COLUMN received_on {date};
-- A coordinated individual plan (SIP) with health care: planned or held on this date.
ALTER TABLE cases ADD COLUMN sip_on {date};
-- Investigation entries are journal entries with the area they document.
ALTER TABLE journal_entries ADD COLUMN area TEXT;

CREATE TABLE applications (
    id             {id},
    case_id        {int} NOT NULL UNIQUE REFERENCES cases(id),
    kommunkod      TEXT NOT NULL REFERENCES municipalities(kommunkod),
    -- Shown to the applicant; they quote it when they call.
    reference      TEXT NOT NULL,
    received_on    {date} NOT NULL,
    -- online, phone, letter, in_person, api.
    channel        TEXT NOT NULL,
    applicant_id   {int} NOT NULL REFERENCES persons(id),
    -- carer, care_recipient, guardian.
    applicant_role TEXT NOT NULL,
    -- The care recipient as the applicant named them (a person may not be registered yet).
    recipient_name TEXT,
    message        TEXT,
    consent        {bool} NOT NULL,
    created_at     {ts} NOT NULL,
    created_by     {int} REFERENCES staff_users(id),
    is_demo        {bool} NOT NULL DEFAULT {false},
    UNIQUE (kommunkod, reference)
);
-- The inbox lists the applications nobody has taken, oldest first.
CREATE INDEX applications_by_received ON applications (kommunkod, received_on, case_id);

-- What is applied for: a catalogue entry, or free text (a carer may apply for anything).
CREATE TABLE applied_insatser (
    id               {id},
    case_id          {int} NOT NULL REFERENCES cases(id),
    position         INTEGER NOT NULL,
    catalogue_slug   TEXT,
    title            TEXT NOT NULL,
    -- assessed_sol, assessed_lss, or free (free text).
    track            TEXT NOT NULL,
    legal_ref        TEXT,
    consent_required {bool} NOT NULL
);
CREATE INDEX applied_insatser_by_case ON applied_insatser (case_id, position);

CREATE TABLE consents (
    id           {id},
    case_id      {int} NOT NULL REFERENCES cases(id),
    person_id    {int} REFERENCES persons(id),
    -- Who gave it, as stated (the person, a guardian, a god man).
    given_by     TEXT NOT NULL,
    -- respite, share_with_carer, share_with_health_care, other.
    scope        TEXT NOT NULL,
    given_on     {date} NOT NULL,
    note         TEXT,
    recorded_by  {int} NOT NULL REFERENCES staff_users(id),
    recorded_at  {ts} NOT NULL,
    withdrawn_on {date},
    withdrawn_by {int} REFERENCES staff_users(id),
    withdrawn_at {ts}
);
CREATE INDEX consents_by_case ON consents (case_id, id);

-- Reports of concern (orosanmälan) about a child in the household, or a carer under 18.
CREATE TABLE concern_reports (
    id          {id},
    case_id     {int} NOT NULL REFERENCES cases(id),
    reported_by {int} NOT NULL REFERENCES staff_users(id),
    reported_at {ts} NOT NULL,
    reported_to TEXT NOT NULL,
    note        TEXT NOT NULL
);
CREATE INDEX concern_reports_by_case ON concern_reports (case_id, id);

-- Kommunicering (FL 25 §): material from others sent to the party, with a deadline.
CREATE TABLE communications (
    id          {id},
    case_id     {int} NOT NULL REFERENCES cases(id),
    material    TEXT NOT NULL,
    -- letter, email, portal.
    method      TEXT NOT NULL,
    sent_on     {date} NOT NULL,
    answer_by   {date} NOT NULL,
    created_by  {int} NOT NULL REFERENCES staff_users(id),
    created_at  {ts} NOT NULL,
    answered_on {date},
    answer      TEXT,
    answer_recorded_by {int} REFERENCES staff_users(id),
    answer_recorded_at {ts}
);
CREATE INDEX communications_by_case ON communications (case_id, id);

CREATE TABLE decisions (
    id                   {id},
    case_id              {int} NOT NULL REFERENCES cases(id),
    kommunkod            TEXT NOT NULL REFERENCES municipalities(kommunkod),
    applied_id           {int} REFERENCES applied_insatser(id),
    insats               TEXT NOT NULL,
    catalogue_slug       TEXT,
    track                TEXT NOT NULL,
    -- granted, partly_granted, refused.
    outcome              TEXT NOT NULL,
    hours_per_month      {float},
    days_per_week        {float},
    scope_text           TEXT NOT NULL,
    period_from          {date},
    period_to            {date},
    -- The law table's code and its citation on the decision date, as the letter printed it.
    legal_ref            TEXT NOT NULL,
    legal_citation       TEXT NOT NULL,
    reasons              TEXT NOT NULL,
    decided_on           {date} NOT NULL,
    decided_by           {int} NOT NULL REFERENCES staff_users(id),
    created_at           {ts} NOT NULL,
    -- Why no kommunicering was needed, when it was not held.
    communication_waiver TEXT,
    follow_up_on         {date},
    -- The notice (FL 33 §), recorded once.
    notice_method        TEXT,
    notice_sent_on       {date},
    notice_received_on   {date},
    appeal_deadline      {date},
    notice_recorded_by   {int} REFERENCES staff_users(id),
    notice_recorded_at   {ts},
    is_demo              {bool} NOT NULL DEFAULT {false}
);
CREATE INDEX decisions_by_case ON decisions (case_id, id);
CREATE INDEX decisions_by_kommun ON decisions (kommunkod, decided_on);

CREATE TABLE appeals (
    id                   {id},
    decision_id          {int} NOT NULL REFERENCES decisions(id),
    case_id              {int} NOT NULL REFERENCES cases(id),
    kommunkod            TEXT NOT NULL REFERENCES municipalities(kommunkod),
    received_on          {date} NOT NULL,
    -- The deadline it was measured against, and the answer (FL 45 §).
    deadline             {date} NOT NULL,
    timely               {bool} NOT NULL,
    note                 TEXT,
    registered_by        {int} NOT NULL REFERENCES staff_users(id),
    registered_at        {ts} NOT NULL,
    -- A late appeal: an exception (wrong_instructions, reached_court_in_time), or dismissal.
    exception            TEXT,
    exception_note       TEXT,
    dismissed_on         {date},
    dismissal_reasons    TEXT,
    -- Reconsideration (FL 37-39 §§): changed_fully, changed_partly, unchanged.
    reconsideration      TEXT,
    reconsidered_on      {date},
    reconsideration_note TEXT,
    forwarded_on         {date},
    -- The court's outcome: rejected, changed, returned, dismissed.
    court_outcome        TEXT,
    court_outcome_on     {date},
    court_note           TEXT
);
CREATE INDEX appeals_by_decision ON appeals (decision_id, id);
CREATE INDEX appeals_by_kommun ON appeals (kommunkod, forwarded_on);

-- A granted decision ordered from a provider, and what happened to it.
CREATE TABLE executions (
    id            {id},
    decision_id   {int} NOT NULL UNIQUE REFERENCES decisions(id),
    provider      TEXT NOT NULL,
    in_house      {bool} NOT NULL,
    planned_start {date},
    ordered_by    {int} NOT NULL REFERENCES staff_users(id),
    ordered_at    {ts} NOT NULL
);

CREATE TABLE execution_events (
    id          {id},
    decision_id {int} NOT NULL REFERENCES decisions(id),
    -- started, interrupted, resumed, ended, offered.
    kind        TEXT NOT NULL,
    on_date     {date} NOT NULL,
    note        TEXT,
    by_user     {int} NOT NULL REFERENCES staff_users(id),
    at          {ts} NOT NULL
);
CREATE INDEX execution_events_by_decision ON execution_events (decision_id, id);

-- What the report of a decision not carried out says about the wait; the newest counts.
CREATE TABLE delay_explanations (
    id              {id},
    decision_id     {int} NOT NULL REFERENCES decisions(id),
    reason          TEXT NOT NULL,
    consequences    TEXT NOT NULL,
    interim_support TEXT NOT NULL,
    by_user         {int} NOT NULL REFERENCES staff_users(id),
    at              {ts} NOT NULL
);
CREATE INDEX delay_explanations_by_decision ON delay_explanations (decision_id, id);

CREATE TABLE follow_ups (
    id             {id},
    decision_id    {int} NOT NULL REFERENCES decisions(id),
    held_on        {date} NOT NULL,
    carer_view     TEXT NOT NULL,
    recipient_view TEXT NOT NULL,
    still_fits     {bool} NOT NULL,
    note           TEXT,
    next_on        {date},
    by_user        {int} NOT NULL REFERENCES staff_users(id),
    at             {ts} NOT NULL
);
CREATE INDEX follow_ups_by_decision ON follow_ups (decision_id, id);

-- FL 11 § delay notices and FL 12 § requests for a decision.
CREATE TABLE case_delays (
    id        {id},
    case_id   {int} NOT NULL REFERENCES cases(id),
    -- delay_notice or decision_request.
    kind      TEXT NOT NULL,
    on_date   {date} NOT NULL,
    -- For a request: the day the board must have decided by.
    answer_by {date},
    note      TEXT NOT NULL,
    by_user   {int} NOT NULL REFERENCES staff_users(id),
    at        {ts} NOT NULL
);
CREATE INDEX case_delays_by_case ON case_delays (case_id, id);

-- The municipality's own wording of a letter's text block; the newest row valid on the
-- letter's date replaces the shipped text.
CREATE TABLE letter_blocks (
    id         {id},
    kommunkod  TEXT NOT NULL REFERENCES municipalities(kommunkod),
    code       TEXT NOT NULL,
    body       TEXT NOT NULL,
    valid_from {date} NOT NULL,
    by_user    {int} NOT NULL REFERENCES staff_users(id),
    at         {ts} NOT NULL
);
CREATE INDEX letter_blocks_by_code ON letter_blocks (kommunkod, code, valid_from);
