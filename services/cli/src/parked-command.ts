import type { PlatformConfig } from '@crh/config';
import { migrateCustomerKeys } from '@crh/event-store/encryption';
import { openEventStore } from '@crh/event-store/open';
import type { ChangeFeedPublisher } from '@crh/messaging';
import { createLogger } from '@crh/observability';
import { createPgPool } from '@crh/postgres';
import { type BatchResult, batchChanges } from '@crh/read-models/projection';
import {
  listParked,
  type ParkedDeps,
  type RetryOutcome,
  retryParked,
  skipParked,
} from '@crh/read-models/runner';
import { migrateReadModels } from '@crh/read-models/schema';
import { openFeedPublisher, sealingOptionsOf } from '@crh/service-runtime';
import type { Pool } from 'pg';
import { dataDir } from './platform/data-dir.ts';
import { openPlatformDatabase } from './platform/platform-database.ts';

/** Where the command writes (stdout and stderr in main.ts). */
export interface ParkedOutput {
  out(text: string): void;
  err(text: string): void;
}

export type ParkedRequest =
  | { action: 'list' }
  | { action: 'retry'; customer?: string | undefined }
  | { action: 'skip'; eventId: string; reason?: string | undefined };

/**
 * `crh parked list | retry | skip`: the events the projector parked. A
 * poison event (its projection threw) stops its customer, whose later
 * events are held behind it; retry applies them again in order (after a
 * fix), skip leaves the poison event out for good and applies the rest.
 * Against DATABASE_URL, else the embedded PostgreSQL (as `crh rebuild`).
 */
export async function parkedCommand(
  config: PlatformConfig,
  request: ParkedRequest,
  output: ParkedOutput,
): Promise<number> {
  const database = await openPlatformDatabase(
    config,
    (line) => output.err(`[crh parked] ${line}\n`),
    'crh',
    true,
  );
  const pool = createPgPool(database.url, { max: 2, applicationName: 'crh-parked' });
  const store = await openEventStore({
    kind: config.env.EVENT_STORE,
    pool,
    esdbUrl: config.env.ESDB_URL,
    sealing: await sealingOptionsOf(config, dataDir()),
  });
  const push = pushToSubscribers(config, pool, output);
  try {
    await migrateCustomerKeys(pool);
    await migrateReadModels(pool);
    const deps: ParkedDeps = { pool, store, context: config.rules, onCommitted: push };
    switch (request.action) {
      case 'list':
        output.out(formatParked(await listParked(pool)));
        return 0;
      case 'retry': {
        const outcomes = await retryParked(deps, request.customer);
        if (outcomes.length === 0) output.out('no blocked customers\n');
        for (const o of outcomes) output.out(describeOutcome(o));
        return outcomes.some((o) => o.failed) ? 1 : 0;
      }
      case 'skip': {
        const outcome = await skipParked(deps, request.eventId, request.reason);
        if (!outcome) {
          output.err(
            `crh parked skip: ${request.eventId} is not a failed parked event (see crh parked list)\n`,
          );
          return 1;
        }
        output.out(`skipped ${request.eventId}\n${describeOutcome(outcome)}`);
        return outcome.failed ? 1 : 0;
      }
    }
  } finally {
    await push.close();
    await store.close();
    await pool.end();
    await database.stop();
  }
}

/**
 * What a retry or skip applies goes out on the change feed (CHANGE_FEED),
 * as the projector's batches do, so dashboards subscribed to a customer see
 * it. Opened on first use (list publishes nothing). The change is committed
 * before it is published: a feed that is away costs the live push, not the
 * change (dashboards see it on their next query), and says so.
 */
function pushToSubscribers(config: PlatformConfig, pool: Pool, output: ParkedOutput) {
  let feed: ChangeFeedPublisher | undefined;
  const logger = createLogger('crh-parked', 'warn');
  return Object.assign(
    async (result: BatchResult) => {
      const changes = batchChanges(result);
      if (changes.length === 0) return;
      try {
        feed ??= openFeedPublisher(config, pool, logger, 'parked');
        await feed.publish(changes);
      } catch (error) {
        output.err(
          `[crh parked] the change feed did not take the changes (${error instanceof Error ? error.message : String(error)}): live subscribers see them on their next query\n`,
        );
      }
    },
    { close: async () => feed?.close().catch(() => undefined) },
  );
}

function describeOutcome(o: RetryOutcome): string {
  const applied = `${o.customerId}: ${o.applied} event${o.applied === 1 ? '' : 's'} applied`;
  return o.failed
    ? `${applied}; still blocked at ${o.failed.eventId}: ${o.failed.reason}\n`
    : `${applied}; unblocked\n`;
}

/** One line per failed or unreadable event, with how many events its customer holds behind it. */
export function formatParked(parked: Awaited<ReturnType<typeof listParked>>): string {
  const held = new Map<string, number>();
  for (const p of parked) if (p.state === 'held') held.set(p.customerId, (held.get(p.customerId) ?? 0) + 1);
  const shown = parked.filter((p) => p.state !== 'held');
  if (shown.length === 0) return 'no parked events\n';
  const rows = [
    ['CUSTOMER', 'EVENT', 'POSITION', 'TYPE', 'STATE', 'HELD', 'ERROR'],
    ...shown.map((p) => [
      p.customerId,
      p.eventId,
      p.position,
      p.type,
      p.state,
      p.state === 'failed' ? String(held.get(p.customerId) ?? 0) : '-',
      p.reason.replace(/\s+/g, ' '),
    ]),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return `${rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ')).join('\n')}\n`;
}
