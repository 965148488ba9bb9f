// Read-model schema. Read models are disposable: everything here can be
// rebuilt from the event log, so migrations may drop and recreate freely.
export const readModelMigrations = [
  {
    name: '001_relationships',
    sql: `
      -- Every event, per customer: the customer timeline, and the input from
      -- which a relationship's state as of any day is derived (late events
      -- simply land in their place by occurred_at).
      create table crh.rm_customer_events (
        event_id uuid primary key,
        customer_id text not null,
        occurred_at timestamptz not null,
        position text not null,
        revision bigint not null,
        type text not null,
        actor_id text,
        data jsonb not null,
        metadata jsonb,
        recorded_at timestamptz not null
      );
      -- The only access path: one customer, by time (newest first for the timeline).
      create index rm_customer_events_by_customer
        on crh.rm_customer_events (customer_id, occurred_at desc, position desc);

      -- Current (latest known) facts per onboarded customer. Status is not
      -- stored: it depends on the day asked about.
      create table crh.rm_relationships (
        customer_id text primary key,
        name text,
        tier text not null,
        account_manager_id text,
        segment text,
        contract_value double precision,
        onboarded_at timestamptz not null,
        last_contact_at timestamptz not null,
        churned boolean not null,
        open_complaints integer not null,
        last_nps_score integer,
        updated_at timestamptz not null default now()
      );
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
