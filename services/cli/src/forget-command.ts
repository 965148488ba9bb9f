import { userInfo } from 'node:os';
import type { PlatformConfig } from '@crh/config';
import {
  CustomerKeys,
  eraseCustomer,
  migrateCustomerKeys,
  UnknownCustomerError,
} from '@crh/event-store/encryption';
import { openEventStore } from '@crh/event-store/open';
import { createPgPool } from '@crh/postgres';
import { sealingOptionsOf } from '@crh/service-runtime';
import { dataDir } from './platform/data-dir.ts';
import { openPlatformDatabase } from './platform/platform-database.ts';

export interface ForgetFlags {
  customerId: string;
  reason?: string | undefined;
  /** Who asks, for the audit trail; default `cli:<the operating-system user>`. */
  by?: string | undefined;
}

/** Where the command writes (stdout and stderr in main.ts). */
export interface ForgetOutput {
  out(text: string): void;
  err(text: string): void;
}

/**
 * `crh forget <customerId> [--reason ...]`: what POST
 * /v1/customers/{customerId}/erasure does, from the command line
 * (docs/erasure.md): the customer's key destroyed, a CustomerDataErased
 * event recorded, the audit line written. Idempotent. Prints the answer
 * as the API gives it (JSON) on stdout. Returns the exit code.
 */
export async function forgetCommand(
  config: PlatformConfig,
  flags: ForgetFlags,
  output: ForgetOutput,
): Promise<number> {
  const log = (line: string) => output.err(`[crh forget] ${line}\n`);
  const sealing = await sealingOptionsOf(config, dataDir());
  const database = await openPlatformDatabase(config, log, 'crh', true);
  const pool = createPgPool(database.url, { max: 2, applicationName: 'crh-forget' });
  const keys = new CustomerKeys(pool, sealing);
  const store = await openEventStore({
    kind: config.env.EVENT_STORE,
    pool,
    esdbUrl: config.env.ESDB_URL,
    sealing: keys,
  });
  try {
    await migrateCustomerKeys(pool);
    await keys.verifyMaster();
    const outcome = await eraseCustomer(store, keys, pool, {
      customerId: flags.customerId,
      requestedBy: flags.by ?? `cli:${userInfo().username}`,
      reason: flags.reason,
    });
    log(
      outcome.first
        ? `customer ${outcome.customerId}: personal data erased`
        : `customer ${outcome.customerId}: erased before (${outcome.erasedAt}); nothing new recorded`,
    );
    output.out(
      `${JSON.stringify({ customerId: outcome.customerId, erasedAt: outcome.erasedAt, position: outcome.position })}\n`,
    );
    return 0;
  } catch (error) {
    if (!(error instanceof UnknownCustomerError)) throw error;
    log(`${error.message}; nothing was recorded`);
    return 1;
  } finally {
    await store.close();
    await pool.end();
    await database.stop();
  }
}
