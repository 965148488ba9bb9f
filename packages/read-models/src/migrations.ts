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
  {
    name: '002_relationship_intervals',
    sql: `
      -- btree_gist: GiST indexes over a date range and a date together, with
      -- KNN ordering by date (a trusted extension: the database owner may create it).
      create extension if not exists btree_gist;

      -- Per customer only what the projector needs to go on: the rules' fold
      -- of its events so far, and the status last announced on the change
      -- feed (as of the clock's day). What a day shows lives in the intervals.
      drop table crh.rm_relationships;
      create table crh.rm_relationships (
        customer_id text primary key,
        fold jsonb not null,
        announced_status text,
        updated_at timestamptz not null default now()
      ) with (fillfactor = 70); -- room for HOT updates: every batch rewrites its customers' rows

      -- Status validity intervals: per customer, stretches of days [from_day,
      -- to_day) in which its status and facts do not change. A day's view is
      -- a range query; daysSinceContact on day D is D - last_contact_date.
      create table crh.rm_relationship_intervals (
        customer_id text collate "C" not null, -- ids are ASCII: byte order is the API's customerId order
        from_day date not null,
        to_day date, -- exclusive; null while open-ended
        valid daterange generated always as (daterange(from_day, to_day)) stored,
        status text not null,
        tier text not null,
        account_manager_id text,
        name text,
        segment text,
        contract_value double precision,
        -- Instants as ISO 8601 UTC text, as the API gives them: nothing to
        -- format or parse per row when a long list is read.
        onboarded_at text not null,
        last_contact_at text not null,
        last_contact_date date not null,
        open_complaints integer not null,
        last_nps_score integer,
        last_nps_at text,
        last_delight_at text,
        typical_gap_days double precision,
        open_promise_due_at text[] not null,
        primary key (customer_id, from_day)
      );
      -- Whole-book views of a day, one partial index per status (each row is
      -- in exactly one, so writes pay for one GiST index): "valid on D" and
      -- KNN order by last contact, i.e. by daysSinceContact descending.
      create index rm_intervals_active on crh.rm_relationship_intervals
        using gist (valid, last_contact_date) where status = 'ACTIVE';
      create index rm_intervals_going_quiet on crh.rm_relationship_intervals
        using gist (valid, last_contact_date) where status = 'GOING_QUIET';
      create index rm_intervals_neglected on crh.rm_relationship_intervals
        using gist (valid, last_contact_date) where status = 'NEGLECTED';
      create index rm_intervals_churned on crh.rm_relationship_intervals
        using gist (valid, last_contact_date) where status = 'CHURNED';
      -- One account manager's book, already in page order. The included
      -- columns let an index-only scan skip the intervals not valid on the
      -- day (most of a manager's history) without visiting the table.
      create index rm_intervals_by_manager on crh.rm_relationship_intervals
        (account_manager_id, last_contact_date, customer_id) include (from_day, to_day, status, tier);
      -- The day turn: intervals that start on the day being turned.
      create index rm_intervals_by_start on crh.rm_relationship_intervals (from_day);

      -- The day the change feed's statuses are as of (the last day turned);
      -- what the read models were built with (a change rebuilds them); and
      -- while (re)building over an existing log, the position up to which
      -- nothing is announced (the whole book again is no news).
      alter table crh.projection_checkpoints
        add column turned_day date, add column fingerprint text, add column quiet_until text;

      -- The change feed: every change of a relationship's status as of the
      -- turned day, written in the transaction that caused it, so a reader
      -- sees only committed changes, in order per customer.
      create table crh.relationship_status_changes (
        seq bigserial primary key,
        customer_id text not null,
        account_manager_id text,
        from_status text, -- null: not onboarded before
        to_status text not null,
        day date not null,
        at timestamptz not null,
        cause text not null check (cause in ('event', 'day')),
        recorded_at timestamptz not null default now()
      );
      create index relationship_status_changes_by_customer on crh.relationship_status_changes (customer_id, seq);
    `,
  },
] as const;
