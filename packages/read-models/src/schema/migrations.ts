import { addToLevelMonthsSql, LEVEL_COLUMNS, levelMonthsSql } from './level-months.ts';
import { activeStatusSql, overdueSpanSql } from './rule-sql.ts';

// Read-model schema. Read models are disposable: everything here can be
// rebuilt from the event log, so migrations may drop and recreate freely.
// A released migration never changes (migrations.unit.test.ts pins each
// one's SQL, comments aside): a rule it holds changes in a new migration,
// with READ_MODEL_VERSION bumped so the rows are derived again.
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
  {
    name: '003_signals_and_daily_kpis',
    sql: `
      -- Per customer: the events its signals are derived from (contacts
      -- aside), in occurrence order; see packages/domain/src/signal-history.ts.
      create table crh.rm_customer_signals (
        customer_id text primary key,
        history text not null -- JSON, written and read whole: text spares the jsonb conversion
      ) with (fillfactor = 70);

      -- Daily KPIs as sums. scope '' is the organisation, any other scope an
      -- account manager (ids are never empty). Levels are changes: a day's
      -- level is the sum of its scope's rows up to that day, so an interval
      -- of a year is two rows, not 365. Day counts are what happened that day.
      create table crh.rm_kpi_levels (
        scope text collate "C" not null,
        day date not null,
        active integer not null default 0,
        going_quiet integer not null default 0,
        neglected integer not null default 0,
        open_complaints integer not null default 0,
        retained integer not null default 0,
        primary key (scope, day)
      );
      create table crh.rm_kpi_day_counts (
        scope text collate "C" not null,
        day date not null,
        churned integer not null default 0,
        promoters integer not null default 0,
        passives integer not null default 0,
        detractors integer not null default 0,
        complaints_received integer not null default 0,
        complaints_resolved integer not null default 0,
        promises_due integer not null default 0,
        promises_kept_on_time integer not null default 0,
        delight_moments integer not null default 0,
        compliments integer not null default 0,
        median_hours_to_acknowledge double precision,
        median_hours_to_resolve double precision,
        primary key (scope, day)
      );

      -- The interval levels follow the intervals themselves: every interval
      -- written or deleted adds or takes away its status and open complaints
      -- on its first day and gives them back on its end day, for the
      -- organisation and its manager. Set-based, once per statement (COPY too).
      create function crh.rm_interval_levels() returns trigger language plpgsql as $fn$
      declare
        direction integer := case when tg_op = 'DELETE' then -1 else 1 end;
      begin
        insert into crh.rm_kpi_levels as l (scope, day, active, going_quiet, neglected, open_complaints)
        select s.scope, e.day,
               sum(e.sign * (c.status <> 'CHURNED')::int),
               sum(e.sign * (c.status = 'GOING_QUIET')::int),
               sum(e.sign * (c.status = 'NEGLECTED')::int),
               sum(e.sign * c.open_complaints)
        from changed c
        cross join lateral (values (c.from_day, direction), (c.to_day, -direction)) as e(day, sign)
        cross join lateral (values (''), (c.account_manager_id)) as s(scope)
        where e.day is not null and s.scope is not null
        group by s.scope, e.day
        on conflict (scope, day) do update set
          active = l.active + excluded.active,
          going_quiet = l.going_quiet + excluded.going_quiet,
          neglected = l.neglected + excluded.neglected,
          open_complaints = l.open_complaints + excluded.open_complaints;
        return null;
      end
      $fn$;
      create trigger rm_interval_levels_insert after insert on crh.rm_relationship_intervals
        referencing new table as changed for each statement execute function crh.rm_interval_levels();
      create trigger rm_interval_levels_delete after delete on crh.rm_relationship_intervals
        referencing old table as changed for each statement execute function crh.rm_interval_levels();

      -- One row per received complaint of an onboarded customer (its lifecycle and recovery).
      create table crh.rm_complaints (
        customer_id text collate "C" not null,
        complaint_id text collate "C" not null,
        account_manager_id text not null,
        received_at timestamptz not null,
        channel text,
        severity text,
        category text,
        acknowledged_at timestamptz,
        first_resolved_at timestamptz,
        hours_to_acknowledge double precision,
        hours_to_resolve double precision,
        updates integer not null,
        reopenings integer not null,
        open boolean not null,
        resolved_at timestamptz,
        longest_silence_hours double precision not null,
        longest_silence_from timestamptz,
        silent_since timestamptz,
        last_step_at timestamptz not null,
        beyond_repair boolean not null,
        gestures text[] not null,
        feedback_asked boolean not null,
        feedback_satisfied boolean,
        churned_after_resolution_at timestamptz,
        -- where it counts in the daily KPIs (manager null: not counted)
        received_day date not null,
        received_manager text,
        acknowledged_day date,
        acknowledged_manager text,
        resolved_day date,
        resolved_manager text,
        open_periods tstzmultirange not null,
        primary key (customer_id, complaint_id)
      );
      create index rm_complaints_by_manager on crh.rm_complaints (account_manager_id, received_at);
      create index rm_complaints_by_received on crh.rm_complaints (received_at, customer_id, complaint_id);
      create index rm_complaints_open on crh.rm_complaints (received_at) where open;
      create index rm_complaints_acknowledged on crh.rm_complaints (acknowledged_day)
        include (acknowledged_manager, hours_to_acknowledge) where acknowledged_manager is not null;
      create index rm_complaints_resolved on crh.rm_complaints (resolved_day)
        include (resolved_manager, hours_to_resolve) where resolved_manager is not null;

      -- One row per made promise of an onboarded customer.
      create table crh.rm_promises (
        customer_id text collate "C" not null,
        promise_id text collate "C" not null,
        account_manager_id text not null,
        description text not null,
        made_at timestamptz not null,
        due_at timestamptz not null,
        due_day date not null,
        due_manager text,
        kept_at timestamptz,
        cancelled_at timestamptz,
        settled text,
        settled_at timestamptz,
        primary key (customer_id, promise_id)
      );
      create index rm_promises_by_due on crh.rm_promises (due_at, customer_id, promise_id);
      create index rm_promises_by_manager on crh.rm_promises (account_manager_id, due_at);
      create index rm_promises_unsettled on crh.rm_promises (due_at) where settled is null;

      -- NPS answers that count, with the manager and tier as of their day.
      create table crh.rm_nps_answers (
        customer_id text collate "C" not null,
        position text not null,
        at timestamptz not null,
        day date not null,
        score integer not null,
        touchpoint text,
        account_manager_id text not null,
        tier text not null,
        primary key (customer_id, position)
      );
      create index rm_nps_answers_by_day on crh.rm_nps_answers (day) include (score, touchpoint, account_manager_id, tier);
      create index rm_nps_answers_by_customer_day on crh.rm_nps_answers (customer_id, day);

      -- Delight moments per employee and day ("one fan a day").
      create table crh.rm_delight_days (
        actor_id text collate "C" not null,
        day date not null,
        moments integer not null,
        primary key (actor_id, day)
      );
      create index rm_delight_days_by_day on crh.rm_delight_days (day) where moments > 0;

      create index rm_complaints_unacknowledged on crh.rm_complaints (received_at)
        where open and acknowledged_at is null;
      create index rm_complaints_silent on crh.rm_complaints (silent_since) where open;

      -- The signal change feed: a promise or a complaint target missed, once
      -- per deadline, written in the transaction that learned of it (time
      -- passing, or an event showing a deadline already past).
      create table crh.signal_alerts (
        seq bigserial primary key,
        kind text not null check (kind in
          ('PROMISE_OVERDUE', 'COMPLAINT_ACKNOWLEDGE_OVERDUE', 'COMPLAINT_UPDATE_OVERDUE', 'COMPLAINT_RESOLVE_OVERDUE')),
        customer_id text not null,
        subject_id text not null,
        account_manager_id text not null,
        due_at timestamptz not null,
        at timestamptz not null,
        recorded_at timestamptz not null default now(),
        unique (kind, customer_id, subject_id, due_at)
      );
      -- Deadlines up to this instant have been announced.
      alter table crh.projection_checkpoints add column alerts_until timestamptz;
    `,
  },
  {
    name: '004_interval_levels_from_domain_rules',
    sql: `
      -- The interval levels again, with "active" (onboarded and not CHURNED)
      -- built from the domain's rule (activeStatusSql) instead of written
      -- out here; 003's function gave the same sums.
      create or replace function crh.rm_interval_levels() returns trigger language plpgsql as $fn$
      declare
        direction integer := case when tg_op = 'DELETE' then -1 else 1 end;
      begin
        insert into crh.rm_kpi_levels as l (scope, day, active, going_quiet, neglected, open_complaints)
        select s.scope, e.day,
               sum(e.sign * (${activeStatusSql('c.status')})::int),
               sum(e.sign * (c.status = 'GOING_QUIET')::int),
               sum(e.sign * (c.status = 'NEGLECTED')::int),
               sum(e.sign * c.open_complaints)
        from changed c
        cross join lateral (values (c.from_day, direction), (c.to_day, -direction)) as e(day, sign)
        cross join lateral (values (''), (c.account_manager_id)) as s(scope)
        where e.day is not null and s.scope is not null
        group by s.scope, e.day
        on conflict (scope, day) do update set
          active = l.active + excluded.active,
          going_quiet = l.going_quiet + excluded.going_quiet,
          neglected = l.neglected + excluded.neglected,
          open_complaints = l.open_complaints + excluded.open_complaints;
        return null;
      end
      $fn$;
    `,
  },
  {
    name: '005_delight_days_per_scope',
    sql: `
      -- "One fan a day" within an account manager's book: delight moments
      -- per scope as the daily KPIs have them ('' the organisation, else the
      -- manager that owns the customer as of the moment's day). The rows
      -- there are the organisation's; READ_MODEL_VERSION 4 derives the rest.
      alter table crh.rm_delight_days add column scope text collate "C" not null default '';
      alter table crh.rm_delight_days alter column scope drop default;
      alter table crh.rm_delight_days drop constraint rm_delight_days_pkey;
      alter table crh.rm_delight_days add primary key (scope, actor_id, day);
      drop index crh.rm_delight_days_by_day;
      create index rm_delight_days_by_day on crh.rm_delight_days (scope, day) where moments > 0;
    `,
  },
  {
    name: '006_blocked_customers',
    sql: `
      -- A poison event (its projection threw) blocks its customer: the event
      -- is parked 'failed' with its error, the customer's later events are
      -- parked 'held' behind it, so its views never skip an event. Events
      -- the code cannot read at all stay 'unreadable' and block nothing.
      alter table crh.parked_events add column state text not null default 'unreadable'
        check (state in ('unreadable', 'failed', 'held'));
      create index parked_events_blocking on crh.parked_events (projection, customer_id, position)
        where state <> 'unreadable';

      -- Events an operator skipped (crh parked skip): a decision, not a
      -- projection result, so a rebuild keeps it and honours it.
      create table crh.skipped_events (
        projection text not null,
        event_id uuid not null,
        customer_id text not null,
        position text not null,
        reason text not null,
        skipped_at timestamptz not null default now(),
        primary key (projection, event_id)
      );
    `,
  },
  {
    name: '007_projection_partitions',
    sql: `
      -- The KPI levels are no longer kept by trigger: a batch adds the
      -- levels its intervals change, with its other shared KPI rows, last and
      -- under one lock, so batches of different partitions run side by side
      -- (see packages/read-models/src/projection/kpi-changes.ts). The sums
      -- stay what the trigger made them.
      drop trigger rm_interval_levels_insert on crh.rm_relationship_intervals;
      drop trigger rm_interval_levels_delete on crh.rm_relationship_intervals;
      drop function crh.rm_interval_levels();

      -- The projection is partitioned by customer (a stable hash of its id):
      -- each partition has its own checkpoint, the log position up to which
      -- its customers' events are applied. A projector process holds some
      -- partitions (a session advisory lock each) and follows the log for
      -- them; the overall checkpoint is the lowest. The first projector
      -- creates the rows, starting from the checkpoint of before.
      -- A customer's fold is written and read whole, by the projector only:
      -- text spares the jsonb conversion both ways (as rm_customer_signals).
      alter table crh.rm_relationships alter column fold type text using fold::text;

      create table crh.projection_partitions (
        projection text not null,
        partition integer not null check (partition >= 0),
        position text,
        updated_at timestamptz not null default now(),
        primary key (projection, partition)
      );
    `,
  },
  {
    name: '008_outlier_indexes',
    sql: `
      -- What the outliers of a day read, found by index rather than by
      -- reading every row ever written (docs/benchmarks.md, "The book").

      -- Complaints open at an instant: a GiST index answers open_periods @> T.
      create index rm_complaints_open_at on crh.rm_complaints using gist (open_periods);

      -- Promises overdue at an instant: the span they are overdue in, built
      -- from the domain's rule (overdueSpanSql); the queries spell the same
      -- expression, the included columns are what they group by.
      create index rm_promises_overdue_at on crh.rm_promises
        using gist (${overdueSpanSql()}) include (made_at, due_manager, account_manager_id);

      -- NPS drops: each answer knows the customer's answer before it and the
      -- day of the one after (READ_MODEL_VERSION 5 derives them), so "the
      -- latest answer as of D, and the one before it" is a range of days
      -- read from this index alone, not a window over every answer up to D.
      alter table crh.rm_nps_answers add column previous_score integer, add column next_day date;
      create index rm_nps_answers_drops on crh.rm_nps_answers (day)
        include (next_day, customer_id, account_manager_id, score, previous_score)
        where previous_score is not null;

      -- A list's status histories read each customer's intervals in key
      -- order: with to_day and status in the key's index they come from it
      -- alone (an index-only scan), not from one heap page per interval,
      -- spread over the whole table. The same index, a little wider.
      alter table crh.rm_relationship_intervals drop constraint rm_relationship_intervals_pkey,
        add constraint rm_relationship_intervals_pkey primary key (customer_id, from_day) include (to_day, status);

      -- Every manager's levels on a day: the level changes summed per month
      -- (level-months.ts), kept in step by statement triggers on
      -- rm_kpi_levels whatever writes there (the projector's level
      -- changes, the retention sums); the days of a month found by day.
      create table crh.rm_kpi_level_months (
        scope text collate "C" not null,
        month date not null, -- its first day
        ${LEVEL_COLUMNS.map((c) => `${c} integer not null default 0`).join(', ')},
        primary key (scope, month)
      );
      ${levelMonthsSql('crh.rm_kpi_level_months', `select scope, day, ${LEVEL_COLUMNS.join(', ')} from crh.rm_kpi_levels`)};
      create index rm_kpi_levels_by_day on crh.rm_kpi_levels (day);

      create function crh.rm_kpi_level_months_inserted() returns trigger language plpgsql as $fn$
      begin
        ${addToLevelMonthsSql(`select scope, day, ${LEVEL_COLUMNS.join(', ')} from new_rows`)};
        return null;
      end
      $fn$;
      create function crh.rm_kpi_level_months_updated() returns trigger language plpgsql as $fn$
      begin
        ${addToLevelMonthsSql(
          `select scope, day, ${LEVEL_COLUMNS.join(', ')} from new_rows
           union all select scope, day, ${LEVEL_COLUMNS.map((c) => `-${c}`).join(', ')} from old_rows`,
        )};
        return null;
      end
      $fn$;
      create function crh.rm_kpi_level_months_deleted() returns trigger language plpgsql as $fn$
      begin
        ${addToLevelMonthsSql(`select scope, day, ${LEVEL_COLUMNS.map((c) => `-${c}`).join(', ')} from old_rows`)};
        return null;
      end
      $fn$;
      create trigger rm_kpi_level_months_insert after insert on crh.rm_kpi_levels
        referencing new table as new_rows for each statement execute function crh.rm_kpi_level_months_inserted();
      create trigger rm_kpi_level_months_update after update on crh.rm_kpi_levels
        referencing old table as old_rows new table as new_rows
        for each statement execute function crh.rm_kpi_level_months_updated();
      create trigger rm_kpi_level_months_delete after delete on crh.rm_kpi_levels
        referencing old table as old_rows for each statement execute function crh.rm_kpi_level_months_deleted();
    `,
  },
  {
    name: '009_erasable_personal_text',
    sql: `
      -- A promise's description is personal: the erasure of its customer
      -- nulls it (docs/erasure.md), as a rebuild after the erasure leaves it.
      alter table crh.rm_promises alter column description drop not null;
    `,
  },
] as const;
