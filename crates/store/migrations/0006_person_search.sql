-- Person search by name prefix, case-insensitive, within a municipality. Byte-wise order
-- ("C") makes a prefix a plain range whatever the database's collation; on SQLite the
-- placeholder is empty, as its default collation (BINARY) already is byte-wise.
CREATE INDEX persons_family_lower ON persons (kommunkod, lower(family_name){collate_c});
CREATE INDEX persons_given_lower ON persons (kommunkod, lower(given_name){collate_c});
