-- One person, one record (issue 12). The birth date, from the number or as stated for a
-- person without one, lets a duplicate be found by name and birth date. A duplicate merged
-- into another record is kept, never deleted: `merged_into` points at the record that now
-- holds its cases and relations.
ALTER TABLE persons ADD COLUMN birth_date {date};
ALTER TABLE persons ADD COLUMN merged_into {int} REFERENCES persons(id);
ALTER TABLE persons ADD COLUMN merged_at {ts};
ALTER TABLE persons ADD COLUMN merged_by {int} REFERENCES staff_users(id);
CREATE INDEX persons_by_lower_name ON persons (kommunkod, lower(family_name), lower(given_name));
