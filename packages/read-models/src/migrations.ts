// Read-model schema. Read models are disposable: everything here can be
// rebuilt from the event log, so migrations may drop and recreate freely.
export const readModelMigrations = [
  {
    name: '001_relationships',
    sql: `
      -- Current (latest known) facts per customer; onboarded_at is null until
      -- an onboarding arrives. Status is not stored: it depends on the day
      -- asked about. \`fold\` is the rules' fold of every event so far, so a
      -- batch extends it with in-order events instead of re-reading history.
      create table crh.rm_relationships (
        customer_id text primary key,
        name text,
        tier text,
        account_manager_id text,
        segment text,
        contract_value double precision,
        onboarded_at timestamptz,
        last_contact_at timestamptz,
        churned boolean,
        open_complaints integer,
        last_nps_score integer,
        fold jsonb not null,
        updated_at timestamptz not null default now()
      ) with (fillfactor = 70); -- room for HOT updates: every batch rewrites its customers' rows
      create index rm_relationships_by_manager on crh.rm_relationships (account_manager_id, customer_id);

      create table crh.projection_checkpoints (
        projection text primary key,
        position text,
        updated_at timestamptz not null default now()
      );

      -- Stored events a projection could not understand: kept, not fatal.
      create table crh.parked_events (
        projection text not null,
        event_id uuid not null,
        position text not null,
        type text not null,
        customer_id text not null,
        reason text not null,
        parked_at timestamptz not null default now(),
        primary key (projection, event_id)
      );
    `,
  },
] as const;
