import { checkRoleName, type Queryable, quoteIdent } from '@crh/postgres';
import { EVENT_STORE_MIGRATIONS_TABLE } from './event-store-migrations.ts';

export interface EventLogGrants {
  /** Roles that append (ingest, the gateway's mutations): read and insert, nothing else. */
  appenders: readonly string[];
  /** Roles that only read the log (projector, relay). */
  readers: readonly string[];
  /** Roles that serve the erasure call: may null an erased customer's plaintext (crh.erase_stored_plaintext), nothing else. */
  erasers?: readonly string[];
}

/**
 * What the services may do with the event log, run by its owner after the
 * migrations. The log is append-only, and the privileges say so: no role but
 * the owner may UPDATE, DELETE or TRUNCATE `crh.events`, or change its shape.
 * Appends run `crh.append_events` as the caller (it is not SECURITY DEFINER),
 * so appenders need INSERT and the position sequence; EXECUTE is PUBLIC's.
 * Each role's privileges on the log are set exactly: whatever it held before
 * is revoked first. Every role may read which migrations ran (the services
 * check the schema's version at start).
 */
export async function grantEventLog(db: Queryable, grants: EventLogGrants): Promise<void> {
  const all = [...new Set([...grants.appenders, ...grants.readers, ...(grants.erasers ?? [])])]
    .map(checkRoleName)
    .map(quoteIdent);
  if (all.length === 0) return;
  const appenders = grants.appenders.map(quoteIdent).join(', ');
  const { rows } = await db.query<{ sequence: string }>(
    `select pg_get_serial_sequence('crh.events', 'position') as sequence`,
  );
  const sequence = rows[0]!.sequence;
  await db.query(`grant usage on schema crh to ${all.join(', ')}`);
  await db.query(`revoke all on crh.events, ${sequence} from ${all.join(', ')}`);
  // The progress of crh encrypt-existing (the owner runs it) is readable: how far the log is sealed.
  await db.query(
    `grant select on crh.events, ${EVENT_STORE_MIGRATIONS_TABLE}, crh.event_format_progress to ${all.join(', ')}`,
  );
  if (appenders) {
    await db.query(`grant insert on crh.events to ${appenders}`);
    await db.query(`grant usage on sequence ${sequence} to ${appenders}`);
  }
  await db.query(`revoke all on function crh.erase_stored_plaintext(text) from ${all.join(', ')}`);
  const erasers = (grants.erasers ?? []).map(quoteIdent).join(', ');
  if (erasers) await db.query(`grant execute on function crh.erase_stored_plaintext(text) to ${erasers}`);
}
