import { CUSTOMER_ID_PATTERN as CUSTOMER_ID, MAX_EVENTS_PER_REQUEST, validateEventBatch } from '@crh/domain';
import { type EventStore, IdConflictError, toEnvelope, WrongExpectedRevisionError } from '@crh/event-store';
import { CustomerErasedError } from '@crh/event-store/encryption';
import express, { type Request, type RequestHandler, Router } from 'express';
import type { AccessControl } from './access-control.ts';
import { ProblemError, problemTypes, sendProblem } from './problem-details.ts';

export interface EventsRoutesOptions {
  store: EventStore;
  bodyLimit: string;
  maxEventsPerRequest?: number;
  access: AccessControl;
}

const STREAM_PAGE = 1000;

const requireJson: RequestHandler = (req, res, next) => {
  if (!req.is(['application/json', 'application/*+json'])) {
    sendProblem(res, {
      type: problemTypes.unsupportedMediaType,
      title: 'Unsupported media type',
      status: 415,
      detail: 'POST /v1/events takes application/json',
    });
    return;
  }
  next();
};

export function eventsRoutes({ store, bodyLimit, maxEventsPerRequest, access }: EventsRoutesOptions): Router {
  const router = Router();
  const json = express.json({
    limit: bodyLimit,
    type: ['application/json', 'application/*+json'],
    strict: false,
  });

  // The permission and the rate limit come before the body is read or parsed.
  router.post('/v1/events', access.permit('events:append', 'append'), requireJson, json, async (req, res) => {
    const validation = validateEventBatch(req.body, {
      maxEvents: maxEventsPerRequest ?? MAX_EVENTS_PER_REQUEST,
    });
    if (!validation.ok) {
      sendProblem(res, {
        type: problemTypes.validation,
        title: 'Invalid events',
        status: 400,
        detail: `${validation.issues.length} problem(s) found; nothing was recorded`,
        errors: validation.issues,
      });
      return;
    }
    try {
      const outcomes = await store.append(validation.events);
      res.json({ results: outcomes });
    } catch (error) {
      if (error instanceof WrongExpectedRevisionError) {
        throw new ProblemError({
          type: problemTypes.conflict,
          title: 'Wrong expected revision',
          status: 409,
          detail: `${error.message}; nothing was recorded`,
          customerId: error.customerId,
          expectedRevision: error.expected,
          actualRevision: error.actual,
        });
      }
      if (error instanceof CustomerErasedError) {
        throw new ProblemError({
          type: problemTypes.customerErased,
          title: "Customer's personal data erased",
          status: 409,
          detail: `the personal data of customer(s) ${error.customerIds.join(', ')} was erased: events for them are taken only without personal fields (docs/erasure.md); nothing was recorded`,
          customerIds: error.customerIds,
        });
      }
      if (error instanceof IdConflictError) {
        throw new ProblemError({
          type: problemTypes.idConflict,
          title: 'Event id already used for other content',
          status: 409,
          detail: `event id(s) ${error.ids.join(', ')} already stand for events with other content (type, customerId, occurredAt, actorId, data or metadata); an id is re-sent only with the same event, a new event needs a new id; nothing was recorded`,
          ids: error.ids,
        });
      }
      throw error;
    }
  });

  // A customer's raw events are the replay API's data: analysts only, at the ordinary rate.
  router.get(
    '/v1/customers/:customerId/events',
    access.permit('events:replay', 'read'),
    async (req: Request<{ customerId: string }>, res) => {
      const { customerId } = req.params;
      if (!CUSTOMER_ID.test(customerId)) {
        throw new ProblemError({
          type: problemTypes.validation,
          title: 'Invalid customer id',
          status: 400,
          detail: 'customerId must be 1-128 characters of A-Z a-z 0-9 . _ : -',
        });
      }
      // Paged reads written out as they come, so a long stream never sits in memory whole.
      res.type('application/json');
      res.write(`{"customerId":${JSON.stringify(customerId)},"events":[`);
      let fromRevision = 0;
      let first = true;
      for (;;) {
        const page = await store.readStream(customerId, { fromRevision, limit: STREAM_PAGE });
        for (const event of page) {
          res.write((first ? '' : ',') + JSON.stringify(toEnvelope(event)));
          first = false;
        }
        if (page.length < STREAM_PAGE) break;
        fromRevision = page.at(-1)!.revision + 1;
      }
      res.end(']}');
    },
  );

  return router;
}
