-- The language of the staff workspace for each account: Swedish unless chosen otherwise.
ALTER TABLE staff_users ADD COLUMN language TEXT NOT NULL DEFAULT 'sv';
