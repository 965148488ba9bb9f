import { CUSTOMER_ID_PATTERN as CUSTOMER_ID } from '@crh/domain';
import type { EventStore } from '@crh/event-store';
import {
  type CustomerKeys,
  type ErasureAudit,
  eraseCustomer,
  UnknownCustomerError,
} from '@crh/event-store/encryption';
import type { Logger } from '@crh/observability';
import express, { type Request, Router } from 'express';
import { z } from 'zod';
import { type AccessControl, callerOf } from './access-control.ts';
import { ProblemError, problemTypes } from './problem-details.ts';

export interface ErasureRoutesOptions {
  store: EventStore;
  keys: CustomerKeys;
  /** Where crh.customer_erasures (the audit trail) lives. */
  audit: ErasureAudit;
  access: AccessControl;
  logger: Logger;
}

/** The longest reason an erasure takes: a ticket reference and a sentence. */
export const MAX_ERASURE_REASON = 1_000;

/**
 * POST /v1/customers/{customerId}/erasure (docs/erasure.md): an admin
 * erases a customer's personal data with one call. Idempotent: a repeat
 * answers the first erasure's time and position and records nothing new
 * in the log (the audit trail notes every request).
 */
export function erasureRoutes({ store, keys, audit, access, logger }: ErasureRoutesOptions): Router {
  const router = Router();
  // A body is optional; when there is one, it is a small JSON object.
  const json = express.json({ limit: '16kb', type: ['application/json', 'application/*+json'] });

  router.post(
    '/v1/customers/:customerId/erasure',
    access.permit('admin', 'append'),
    json,
    async (req: Request<{ customerId: string }>, res) => {
      const { customerId } = req.params;
      // A POST without a body still says content-length: 0; only a real body needs a JSON type.
      const hasBody =
        Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
      if (hasBody && !req.is(['application/json', 'application/*+json'])) {
        throw new ProblemError({
          type: problemTypes.unsupportedMediaType,
          title: 'Unsupported media type',
          status: 415,
          detail: 'the erasure takes no body, or application/json {"reason": "..."}; nothing was erased',
        });
      }
      if (!CUSTOMER_ID.test(customerId)) {
        throw new ProblemError({
          type: problemTypes.validation,
          title: 'Invalid customer id',
          status: 400,
          detail: 'customerId must be 1-128 characters of A-Z a-z 0-9 . _ : -; nothing was erased',
        });
      }
      const reason = reasonOf(req.body);
      const caller = callerOf(res);
      try {
        const outcome = await eraseCustomer(store, keys, audit, {
          customerId,
          requestedBy: caller.sub,
          reason,
        });
        // Who, when and why: never what.
        logger.info(
          { audit: 'customer-erasure', customerId, requestedBy: caller.sub, reason, first: outcome.first },
          outcome.first ? 'customer personal data erased' : 'customer erasure repeated (erased before)',
        );
        res.json({ customerId, erasedAt: outcome.erasedAt, position: outcome.position });
      } catch (error) {
        if (error instanceof UnknownCustomerError) {
          throw new ProblemError({
            type: problemTypes.unknownCustomer,
            title: 'Unknown customer',
            status: 404,
            detail: `${error.message}; nothing was recorded`,
            customerId,
          });
        }
        throw error;
      }
    },
  );
  return router;
}

/** The optional body of an erasure (and its OpenAPI schema). */
export const erasureRequestSchema = z
  .strictObject({
    reason: z
      .string()
      .min(1)
      .max(MAX_ERASURE_REASON)
      .refine((reason) => reason.trim().length > 0)
      .optional()
      .meta({
        description:
          'Why, for the audit trail: a ticket reference or a sentence. It should not name the person.',
      }),
  })
  .meta({ id: 'ErasureRequest' });

/** The optional `{"reason": "..."}`; anything else is refused before anything is erased. */
function reasonOf(body: unknown): string | undefined {
  const parsed = erasureRequestSchema.safeParse(body ?? {});
  if (parsed.success) return parsed.data.reason;
  throw new ProblemError({
    type: problemTypes.validation,
    title: 'Invalid erasure request',
    status: 400,
    detail: `the body, when given, must be a JSON object {"reason": "..."} with a reason of 1 to ${MAX_ERASURE_REASON} characters; nothing was erased`,
  });
}
