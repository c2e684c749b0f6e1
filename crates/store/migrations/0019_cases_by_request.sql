-- The inbox links a handled request to its case, and opening a case from a request looks for
-- one made before: both find cases by their request, which without this reads every case
-- (at national size the inbox page stalled).
CREATE INDEX cases_by_request ON cases (contact_request_id) WHERE contact_request_id IS NOT NULL;
