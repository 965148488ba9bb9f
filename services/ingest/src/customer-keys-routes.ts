import { customerIdSchema } from '@crh/domain';
import type { CustomerKeys } from '@crh/event-store/encryption';
import type { Logger } from '@crh/observability';
import express, { Router } from 'express';
import { z } from 'zod';
import { type AccessControl, callerOf } from './access-control.ts';
import { ProblemError, problemTypes } from './problem-details.ts';

export interface CustomerKeysRoutesOptions {
  keys: CustomerKeys;
  access: AccessControl;
  logger: Logger;
  /** How long a consumer may keep a key before asking again (CRH_KEY_CACHE_TTL_MS): the bound on an erasure reaching it. */
  cacheSeconds: number;
}

/** Customers one request may ask for. */
export const MAX_KEYS_PER_REQUEST = 1_000;

/** One customer's answer: its key, or that it was erased; neither when it has none (nothing of it is sealed). */
export interface CustomerKeyAnswer {
  customerId: string;
  /** base64url of the 32-byte data key. */
  key?: string;
  erased?: true;
}

/**
 * POST /v1/customer-keys (docs/erasure.md, "For a data team"): the data
 * keys a reader of the Kafka topic opens its sealed fields with, for
 * analysts. Each request is logged with who asked for which customers; the
 * answer says how long the keys may be kept, so an erasure reaches a
 * consumer's cache within that time.
 */
export function customerKeysRoutes({
  keys,
  access,
  logger,
  cacheSeconds,
}: CustomerKeysRoutesOptions): Router {
  const router = Router();
  const json = express.json({ limit: '256kb', type: ['application/json', 'application/*+json'] });
  router.post('/v1/customer-keys', access.permit('events:replay', 'replay'), json, async (req, res) => {
    const customerIds = customerIdsOf(req.body);
    const found = await keys.dataKeys(customerIds);
    const answers: CustomerKeyAnswer[] = customerIds.map((customerId) => {
      const key = found.get(customerId);
      if (key === undefined) return { customerId };
      return key === null ? { customerId, erased: true } : { customerId, key: key.toString('base64url') };
    });
    logger.info(
      { audit: 'customer-keys', requestedBy: callerOf(res).sub, customers: customerIds.length, customerIds },
      'customer keys handed out',
    );
    res.set('cache-control', 'no-store').json({ keys: answers, cacheSeconds });
  });
  return router;
}

/** The body of a key request (and its OpenAPI schema). */
export const customerKeysRequestSchema = z
  .strictObject({ customerIds: z.array(customerIdSchema).min(1).max(MAX_KEYS_PER_REQUEST) })
  .meta({ id: 'CustomerKeysRequest' });

function customerIdsOf(body: unknown): string[] {
  const parsed = customerKeysRequestSchema.safeParse(body);
  if (!parsed.success) {
    throw new ProblemError({
      type: problemTypes.validation,
      title: 'Invalid key request',
      status: 400,
      detail: `the body must be {"customerIds": [...]} with 1 to ${MAX_KEYS_PER_REQUEST} customer ids (1-128 characters of A-Z a-z 0-9 . _ : -)`,
    });
  }
  return [...new Set(parsed.data.customerIds)];
}
