-- A notice by post whose day of receipt the officer did not know takes the presumed day (the
-- law table's post-receipt period); it stays marked as presumed until someone confirms the
-- real day.
ALTER TABLE decisions ADD COLUMN notice_received_presumed {bool} NOT NULL DEFAULT {false};
