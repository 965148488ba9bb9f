import type { Migration } from '@crh/postgres';

export const EVENT_STORE_MIGRATIONS_TABLE = 'crh.event_store_migrations';

/**
 * One round trip per batch: the whole append runs inside this function, in the
 * caller's single-statement transaction (all or nothing).
 *
 * Why stream locks come before any write: the transaction id (xid) that
 * orders the global log is assigned lazily, at the first write. Suppose T1
 * got its xid, then waited for the lock of stream S while T2 (holding it)
 * committed revision n with a larger xid; T1 would then commit revision n + 1
 * with a SMALLER xid, so the global order would put n + 1 before n. Hence:
 * take every stream lock first, and only then write. Advisory locks do not
 * assign an xid (row locks such as SELECT ... FOR UPDATE would), and a later
 * transaction always gets a larger xid, so a stream's revisions follow global
 * order. Keys are deduplicated and taken in sorted order, so two batches
 * touching the same streams cannot deadlock. A hash collision between two
 * streams only serialises them, it is never wrong.
 *
 * The function is VOLATILE and the call runs in READ COMMITTED, so each
 * statement takes a fresh snapshot: the head revisions read after the locks
 * include everything committed by the previous holder.
 */
const APPEND_EVENTS_SQL = `
  create or replace function crh.append_events(
    p_ids uuid[], p_types text[], p_customer_ids text[], p_occurred_at timestamptz[],
    p_actor_ids text[], p_data jsonb[], p_metadata jsonb[], p_expected bigint[]
  ) returns table (status text, tx_id xid8, "position" bigint, revision bigint)
  language plpgsql volatile
  as $fn$
  #variable_conflict use_column
  declare
    v_new boolean[];     -- per input: to be recorded (not stored, first in batch)
    v_before bigint[];   -- per new input: stream revision just before it
    v_key bigint;
    v_bad record;
  begin
    -- 1. Which ids are new. A repeated id: the first is recorded, later
    --    ones (and ids already stored) are duplicates. A concurrent append
    --    of the same new id makes our insert fail with 23505; the caller
    --    retries and then sees a duplicate here.
    select coalesce(array_agg(x.is_new order by x.ord), '{}') into v_new
    from (
      select u.ord,
             u.ord = min(u.ord) over (partition by u.id)
               and not exists (select 1 from crh.events e where e.id = u.id) as is_new
      from unnest(p_ids) with ordinality as u(id, ord)
    ) x;

    if true = any(v_new) then
      -- 2. Lock the streams of the new events: no write before this.
      for v_key in
        select distinct hashtextextended('customer-' || c.customer_id, 0)
        from unnest(p_customer_ids, v_new) as c(customer_id, is_new)
        where c.is_new
        order by 1
      loop
        perform pg_advisory_xact_lock(v_key);
      end loop;

      -- 3. Revisions: head of each stream (-1 if empty), then consecutive
      --    revisions per stream in input order.
      with input as (
        select u.ord, 'customer-' || u.customer_id as stream_id, u.is_new
        from unnest(p_customer_ids, v_new) with ordinality as u(customer_id, is_new, ord)
      ),
      fresh as (
        select i.ord, i.stream_id, row_number() over (partition by i.stream_id order by i.ord) - 1 as k
        from input i
        where i.is_new
      ),
      heads as (
        select s.stream_id,
               coalesce((select max(e.revision) from crh.events e where e.stream_id = s.stream_id), -1) as head
        from (select distinct f.stream_id from fresh f) s
      )
      select array_agg(h.head + f.k order by i.ord) into v_before
      from input i
      left join fresh f on f.ord = i.ord
      left join heads h on h.stream_id = f.stream_id;

      -- 4. Expected revisions, checked against the stream just before each
      --    event; the first failure aborts the whole batch.
      select u.customer_id, u.expected, u.before into v_bad
      from unnest(p_customer_ids, p_expected, v_before) with ordinality as u(customer_id, expected, before, ord)
      where u.before is not null and u.expected is not null and u.expected <> u.before
      order by u.ord
      limit 1;
      if found then
        raise exception using
          errcode = 'CR409',
          message = format('stream customer-%s is at revision %s, expected %s',
                           v_bad.customer_id, v_bad.before, v_bad.expected),
          detail = json_build_object('customerId', v_bad.customer_id,
                                     'expected', v_bad.expected, 'actual', v_bad.before)::text;
      end if;

      -- 5. One insert; ordered so positions follow input order.
      insert into crh.events (id, stream_id, revision, type, customer_id, occurred_at, actor_id, data, metadata)
      select u.id, 'customer-' || u.customer_id, u.before + 1, u.type, u.customer_id,
             u.occurred_at, u.actor_id, u.data, u.metadata
      from unnest(p_ids, p_types, p_customer_ids, p_occurred_at, p_actor_ids, p_data, p_metadata, v_before)
           with ordinality as u(id, type, customer_id, occurred_at, actor_id, data, metadata, before, ord)
      where u.before is not null
      order by u.ord;

      -- Delivered at commit; a hint for subscribers, never the data itself.
      perform pg_notify('crh_events', '');
    end if;

    -- 6. One row per input, in input order: our own rows are visible to us,
    --    duplicates resolve to the stored original.
    return query
      select case when n.is_new then 'recorded' else 'duplicate' end, e.tx_id, e.position, e.revision
      from unnest(p_ids, v_new) with ordinality as n(id, is_new, ord)
      join crh.events e on e.id = n.id
      order by n.ord;
  end;
  $fn$;
`;

// 004: append_events as in 002, plus step 0 (id conflicts).
const APPEND_EVENTS_ID_CONFLICT_SQL = `
  create or replace function crh.append_events(
    p_ids uuid[], p_types text[], p_customer_ids text[], p_occurred_at timestamptz[],
    p_actor_ids text[], p_data jsonb[], p_metadata jsonb[], p_expected bigint[]
  ) returns table (status text, tx_id xid8, "position" bigint, revision bigint)
  language plpgsql volatile
  as $fn$
  #variable_conflict use_column
  declare
    v_new boolean[];     -- per input: to be recorded (not stored, first in batch)
    v_before bigint[];   -- per new input: stream revision just before it
    v_key bigint;
    v_bad record;
    v_conflicts text[];
  begin
    -- 0. One id, one event: an id already stored, or earlier in this batch,
    --    with other content refuses the whole batch. jsonb equality is
    --    structural (key order never matters) and instants compare as
    --    instants, so only a real change of content is a conflict. Stored
    --    rows never change, so reading them needs no lock.
    with input as (
      select u.*
      from unnest(p_ids, p_types, p_customer_ids, p_occurred_at, p_actor_ids, p_data, p_metadata)
           with ordinality as u(id, type, customer_id, occurred_at, actor_id, data, metadata, ord)
    )
    select coalesce(array_agg(distinct c.id::text order by c.id::text), '{}') into v_conflicts
    from (
      select i.id from input i join crh.events e on e.id = i.id
      where (e.type, e.customer_id, e.occurred_at, e.actor_id, e.data, e.metadata)
            is distinct from (i.type, i.customer_id, i.occurred_at, i.actor_id, i.data, i.metadata)
      union all
      select b.id from input a join input b on a.id = b.id and a.ord < b.ord
      where (a.type, a.customer_id, a.occurred_at, a.actor_id, a.data, a.metadata)
            is distinct from (b.type, b.customer_id, b.occurred_at, b.actor_id, b.data, b.metadata)
    ) c;
    if cardinality(v_conflicts) > 0 then
      raise exception using
        errcode = 'CRIDC',
        message = format('event id(s) %s already stand for other content', array_to_string(v_conflicts, ', ')),
        detail = json_build_object('ids', v_conflicts)::text;
    end if;

    -- 1. Which ids are new. A repeated id: the first is recorded, later
    --    ones (and ids already stored) are duplicates. A concurrent append
    --    of the same new id makes our insert fail with 23505; the caller
    --    retries and then sees a duplicate here.
    select coalesce(array_agg(x.is_new order by x.ord), '{}') into v_new
    from (
      select u.ord,
             u.ord = min(u.ord) over (partition by u.id)
               and not exists (select 1 from crh.events e where e.id = u.id) as is_new
      from unnest(p_ids) with ordinality as u(id, ord)
    ) x;

    if true = any(v_new) then
      -- 2. Lock the streams of the new events: no write before this.
      for v_key in
        select distinct hashtextextended('customer-' || c.customer_id, 0)
        from unnest(p_customer_ids, v_new) as c(customer_id, is_new)
        where c.is_new
        order by 1
      loop
        perform pg_advisory_xact_lock(v_key);
      end loop;

      -- 3. Revisions: head of each stream (-1 if empty), then consecutive
      --    revisions per stream in input order.
      with input as (
        select u.ord, 'customer-' || u.customer_id as stream_id, u.is_new
        from unnest(p_customer_ids, v_new) with ordinality as u(customer_id, is_new, ord)
      ),
      fresh as (
        select i.ord, i.stream_id, row_number() over (partition by i.stream_id order by i.ord) - 1 as k
        from input i
        where i.is_new
      ),
      heads as (
        select s.stream_id,
               coalesce((select max(e.revision) from crh.events e where e.stream_id = s.stream_id), -1) as head
        from (select distinct f.stream_id from fresh f) s
      )
      select array_agg(h.head + f.k order by i.ord) into v_before
      from input i
      left join fresh f on f.ord = i.ord
      left join heads h on h.stream_id = f.stream_id;

      -- 4. Expected revisions, checked against the stream just before each
      --    event; the first failure aborts the whole batch.
      select u.customer_id, u.expected, u.before into v_bad
      from unnest(p_customer_ids, p_expected, v_before) with ordinality as u(customer_id, expected, before, ord)
      where u.before is not null and u.expected is not null and u.expected <> u.before
      order by u.ord
      limit 1;
      if found then
        raise exception using
          errcode = 'CR409',
          message = format('stream customer-%s is at revision %s, expected %s',
                           v_bad.customer_id, v_bad.before, v_bad.expected),
          detail = json_build_object('customerId', v_bad.customer_id,
                                     'expected', v_bad.expected, 'actual', v_bad.before)::text;
      end if;

      -- 5. One insert; ordered so positions follow input order.
      insert into crh.events (id, stream_id, revision, type, customer_id, occurred_at, actor_id, data, metadata)
      select u.id, 'customer-' || u.customer_id, u.before + 1, u.type, u.customer_id,
             u.occurred_at, u.actor_id, u.data, u.metadata
      from unnest(p_ids, p_types, p_customer_ids, p_occurred_at, p_actor_ids, p_data, p_metadata, v_before)
           with ordinality as u(id, type, customer_id, occurred_at, actor_id, data, metadata, before, ord)
      where u.before is not null
      order by u.ord;

      -- Delivered at commit; a hint for subscribers, never the data itself.
      perform pg_notify('crh_events', '');
    end if;

    -- 6. One row per input, in input order: our own rows are visible to us,
    --    duplicates resolve to the stored original.
    return query
      select case when n.is_new then 'recorded' else 'duplicate' end, e.tx_id, e.position, e.revision
      from unnest(p_ids, v_new) with ordinality as n(id, is_new, ord)
      join crh.events e on e.id = n.id
      order by n.ord;
  end;
  $fn$;
`;

// 006: append_events as in 004, and the content check again for the ids
// found stored. Step 0 and step 1 are two statements, each with its own
// snapshot: a concurrent append of the same id committing between them was
// missed by step 0 and then taken for a duplicate by step 1, dropping the
// other content (2 races in 400 on a 2-core machine). Stored rows never
// change, so checking the ones step 1 saw closes the window.
const APPEND_EVENTS_RECHECKED_SQL = APPEND_EVENTS_ID_CONFLICT_SQL.replace(
  '    -- 6. One row per input',
  `    -- 5b. Ids step 1 found stored, compared with what they stand for now.
    select coalesce(array_agg(distinct u.id::text order by u.id::text), '{}') into v_conflicts
    from unnest(p_ids, p_types, p_customer_ids, p_occurred_at, p_actor_ids, p_data, p_metadata, v_new)
         as u(id, type, customer_id, occurred_at, actor_id, data, metadata, is_new)
    join crh.events e on e.id = u.id
    where not u.is_new
      and (e.type, e.customer_id, e.occurred_at, e.actor_id, e.data, e.metadata)
          is distinct from (u.type, u.customer_id, u.occurred_at, u.actor_id, u.data, u.metadata);
    if cardinality(v_conflicts) > 0 then
      raise exception using
        errcode = 'CRIDC',
        message = format('event id(s) %s already stand for other content', array_to_string(v_conflicts, ', ')),
        detail = json_build_object('ids', v_conflicts)::text;
    end if;

    -- 6. One row per input`,
);
if (APPEND_EVENTS_RECHECKED_SQL === APPEND_EVENTS_ID_CONFLICT_SQL) {
  throw new Error('migration 006: the step it extends is not in append_events');
}

// 007: append_events as in 006, marked as appending before its first write.
const APPENDING_MARK = `perform pg_advisory_xact_lock_shared(hashtext('crh.events.appending'), 0);`;
const APPEND_EVENTS_MARKED_SQL = APPEND_EVENTS_RECHECKED_SQL.replace(
  '-- 2. Lock the streams of the new events: no write before this.',
  `-- 2a. Mark this transaction as appending, before it has a transaction id
      --     (see crh.log_horizon): readers wait for appends, not for every
      --     transaction on the server.
      ${APPENDING_MARK}
      -- 2. Lock the streams of the new events: no write before this.`,
);
if (APPEND_EVENTS_MARKED_SQL === APPEND_EVENTS_RECHECKED_SQL) {
  throw new Error('migration 007: the step it marks is not in append_events');
}

/**
 * The log position readers may read below (an xid8): every append that has
 * or will have a smaller transaction id has ended. The snapshot's xmax
 * bounds the ids assigned so far; a transaction still marked as appending
 * (the marker is taken before its id exists, and held to its end) bounds
 * it by its id. Read the rows in a later statement: its snapshot then sees
 * every append below the horizon committed or gone.
 */
const LOG_HORIZON_SQL = `
  create function crh.log_horizon() returns xid8 language sql volatile as $fn$
    with now as (select pg_snapshot_xmax(pg_current_snapshot())::text::bigint as xmax),
    appending as (
      select t.transactionid::text::bigint as x
      from pg_locks m
      join pg_locks t on t.pid = m.pid and t.locktype = 'transactionid' and t.mode = 'ExclusiveLock' and t.granted
      where m.locktype = 'advisory' and m.granted and m.objsubid = 2
        and m.classid = hashtext('crh.events.appending')::oid and m.objid = 0
        and m.database = (select oid from pg_database where datname = current_database())
    )
    select least(
      now.xmax,
      -- pg_locks shows 32-bit ids: each is the 64-bit id nearest to xmax
      -- with those low 32 bits (a running id may be above xmax, or below it
      -- across an epoch boundary).
      (select min(now.xmax + (((a.x - (now.xmax & 4294967295) + 2147483648) % 4294967296 + 4294967296)
                              % 4294967296) - 2147483648)
         from appending a)
    )::text::xid8
    from now
  $fn$;
`;

// Released migrations are never edited: add a new one instead.
export const eventStoreMigrations: readonly Migration[] = [
  {
    name: '001_events',
    sql: `
      create table crh.events (
        position bigserial primary key,
        -- The writer's transaction id: global order is (tx_id, position), and
        -- readers only read below the oldest running transaction (gap-free).
        tx_id xid8 not null default pg_current_xact_id(),
        id uuid not null unique,
        stream_id text not null,
        revision bigint not null,
        type text not null,
        customer_id text not null,
        occurred_at timestamptz not null,
        recorded_at timestamptz not null default now(),
        actor_id text,
        data jsonb not null,
        metadata jsonb,
        unique (stream_id, revision)
      );

      -- Every append pays for every index, so only these:
      -- * primary key, unique id (idempotency) and unique (stream_id, revision)
      --   (stream reads, current revision, and the customerId replay filter:
      --   one customer's events are few, sorting them into log order is cheap);
      -- * (tx_id, position): the global log order every reader walks;
      -- * (type, tx_id, position): a replay of a few (often rare) types reads
      --   just those rows, already in log order, instead of the whole log.
      -- No index on occurred_at: a from/to window over the log is broad and
      -- must come back in log order anyway, so it is a filtered log scan.
      create index events_global_order on crh.events (tx_id, position);
      create index events_by_type on crh.events (type, tx_id, position);
    `,
  },
  {
    name: '002_append_events',
    sql: APPEND_EVENTS_SQL,
  },
  {
    // Timelines page each stream newest first by (occurred_at, tx_id,
    // position): with this index a page is one backward range scan of its
    // stream from the cursor, instead of a sort of the whole stream. Appends
    // pay for one more btree entry. A plain (not concurrent) build: it runs
    // in the migration's transaction and holds appends back while it builds.
    name: '003_events_by_stream_time',
    sql: 'create index events_by_stream_time on crh.events (stream_id, occurred_at, tx_id, position);',
  },
  {
    // An id re-sent with other content was answered "duplicate" and the new
    // content dropped; now it is refused (IdConflictError, 409 at ingest).
    name: '004_append_events_id_conflicts',
    sql: APPEND_EVENTS_ID_CONFLICT_SQL,
  },
  {
    // W3C trace context of the append, beside the envelope and never in it
    // (the id-conflict check compares the envelope: a retry under a new
    // trace stays a duplicate). Null when tracing is off. The column's
    // default reads a transaction-local setting that append_events_traced
    // sets, so append_events itself (and its insert) stays as it is, and an
    // untraced append costs nothing more. A duplicate keeps the context of
    // the append that recorded it.
    name: '005_events_trace_context',
    sql: `
      alter table crh.events
        add column trace_context text default nullif(current_setting('crh.trace_context', true), '');

      create or replace function crh.append_events_traced(
        p_ids uuid[], p_types text[], p_customer_ids text[], p_occurred_at timestamptz[],
        p_actor_ids text[], p_data jsonb[], p_metadata jsonb[], p_expected bigint[], p_trace_context text
      ) returns table (status text, tx_id xid8, "position" bigint, revision bigint)
      language plpgsql volatile
      as $fn$
      begin
        -- Local to this transaction: the append's own statement.
        perform set_config('crh.trace_context', coalesce(p_trace_context, ''), true);
        return query
          select * from crh.append_events(p_ids, p_types, p_customer_ids, p_occurred_at,
                                          p_actor_ids, p_data, p_metadata, p_expected);
      end;
      $fn$;
    `,
  },
  {
    // A concurrent re-send of one id with other content could be answered
    // "duplicate" (see APPEND_EVENTS_RECHECKED_SQL); now it is refused.
    name: '006_append_events_recheck_duplicates',
    sql: APPEND_EVENTS_RECHECKED_SQL,
  },
  {
    // Readers waited for every transaction on the server older than an
    // append (pg_snapshot_xmin), a projector's batch or another database's
    // work included, so an event became readable only after the longest of
    // them; now they wait only for appends (issue 18).
    name: '007_readable_horizon',
    sql: `${APPEND_EVENTS_MARKED_SQL}\n${LOG_HORIZON_SQL}`,
  },
  {
    // Personal fields sealed (docs/erasure.md, issue 19). Events stored
    // before sealing hold them in plaintext: `crh encrypt-existing` seals
    // them in place (its progress below, so it resumes), and an erasure
    // nulls an erased customer's at once (the function below). The
    // personal fields are written out here as they were when this ran.
    name: '008_sealed_format',
    sql: `
      create table crh.event_format_progress (
        singleton boolean primary key default true check (singleton),
        after_position bigint not null,
        updated_at timestamptz not null default now()
      );

      -- An erased customer's personal values stored in plaintext (before
      -- sealing), nulled in place and the event marked as the sealed format
      -- (what sealing with no key gives). The owner's function: the role
      -- that serves erasures may do this, and change nothing else of the log.
      -- Only for a customer whose key is destroyed (crh.customer_keys, in
      -- the keys' own migrations: plpgsql resolves it when it runs).
      create function crh.erase_stored_plaintext(erased_customer text) returns integer
        language plpgsql security definer set search_path = pg_catalog, pg_temp as $fn$
        declare
          fields constant text[] := array['name', 'summary', 'message', 'resolution', 'reason', 'note',
                                          'improvement', 'about', 'comment', 'description'];
          changed integer;
        begin
          if not exists (select 1 from crh.customer_keys k
                          where k.customer_id = erased_customer and k.erased_at is not null) then
            raise exception 'customer % is not erased', erased_customer using errcode = '55000';
          end if;
          update crh.events e set
            data = coalesce((
              select jsonb_object_agg(d.k, case when d.k = any(fields) then 'null'::jsonb else d.v end)
              from jsonb_each(e.data) as d(k, v)
            ), '{}'::jsonb),
            metadata = '{"$crh": "sealed-v1"}'::jsonb
          where e.stream_id = 'customer-' || erased_customer
            and coalesce(e.metadata->>'$crh', '') <> 'sealed-v1'
            and (e.data ?| fields or coalesce(e.metadata, '{}'::jsonb) <> '{}'::jsonb);
          get diagnostics changed = row_count;
          return changed;
        end
      $fn$;
      revoke all on function crh.erase_stored_plaintext(text) from public;
    `,
  },
];
