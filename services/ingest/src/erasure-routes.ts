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

/** The optional `{"reason": "..."}`; anything else is refused before anything is erased. */
function reasonOf(body: unknown): string | undefined {
  if (body === undefined || body === null) return undefined;
  const problem = (detail: string) =>
    new ProblemError({
      type: problemTypes.validation,
      title: 'Invalid erasure request',
      status: 400,
      detail: `${detail}; nothing was erased`,
    });
  if (typeof body !== 'object' || Array.isArray(body)) {
    throw problem('the body, when given, must be a JSON object {"reason": "..."}');
  }
  const unknown = Object.keys(body).filter((key) => key !== 'reason');
  if (unknown.length > 0)
    throw problem(`unknown field(s) ${unknown.join(', ')}; the body may hold only "reason"`);
  const { reason } = body as { reason?: unknown };
  if (reason === undefined) return undefined;
  if (typeof reason !== 'string' || reason.trim().length === 0 || reason.length > MAX_ERASURE_REASON) {
    throw problem(`reason must be a non-empty string of at most ${MAX_ERASURE_REASON} characters`);
  }
  return reason;
}
