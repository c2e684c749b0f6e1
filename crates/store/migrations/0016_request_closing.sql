-- A contact request handled without a case is closed with a reason (information given on
-- the phone, referred elsewhere); its status is then 'closed'. Statuses: new, in_progress,
-- case_opened, closed (domain::contact::RequestStatus).
ALTER TABLE contact_requests ADD COLUMN closed_reason TEXT;
ALTER TABLE contact_requests ADD COLUMN closed_at {ts};
ALTER TABLE contact_requests ADD COLUMN closed_by {int} REFERENCES staff_users(id);
-- Requests held by someone are in progress.
UPDATE contact_requests SET status = 'in_progress' WHERE status = 'new' AND assigned_to IS NOT NULL;
