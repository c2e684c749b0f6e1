-- Person search by name prefix, case-insensitive, within a municipality. Byte-wise order
-- ("C") makes a prefix a plain range whatever the database's collation.
CREATE INDEX persons_family_lower ON persons (kommunkod, (lower(family_name) COLLATE "C"));
CREATE INDEX persons_given_lower ON persons (kommunkod, (lower(given_name) COLLATE "C"));
