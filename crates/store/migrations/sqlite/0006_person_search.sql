-- Person search by name prefix, case-insensitive, within a municipality.
CREATE INDEX persons_family_lower ON persons (kommunkod, lower(family_name));
CREATE INDEX persons_given_lower ON persons (kommunkod, lower(given_name));
