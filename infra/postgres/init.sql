-- Runs once when the compose PostgreSQL volume is created. The services create
-- their own schema (crh.*) on start; this only makes sure the database exists
-- with the settings the event log relies on.
ALTER DATABASE crh SET timezone TO 'UTC';
