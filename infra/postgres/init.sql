-- Runs once when the compose PostgreSQL volume is created. The stack's
-- `migrate` service (crh migrate, as the owner crh) creates the schema (crh.*)
-- and the services' roles on every start, so an existing volume gets them too;
-- this only makes sure the database exists with the settings the event log
-- relies on.
ALTER DATABASE crh SET timezone TO 'UTC';
