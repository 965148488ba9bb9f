import { randomUUID } from 'node:crypto';
import { v5 as uuidv5 } from 'uuid';
import { builder, type GatewayContext } from '../builder.ts';
import { authorizeAct } from '../mutations/act-permission.ts';
import { type MutationRequest, mutationEvent } from '../mutations/mutation-event.ts';
import { promiseIsNew, promiseIsOpen } from '../mutations/promise-guards.ts';
import { recordMutation, type StreamGuard } from '../mutations/record-mutation.ts';
import { badInput } from '../user-errors.ts';
import { RecordedEvent } from './recorded-event.ts';

// Account managers act from the dashboard (docs/api/graphql/mutations.md):
// each mutation records one event through the ingest API's validation and
// the event-store port, and answers once the read models show it.

const LogContactInput = builder.inputType('LogContactInput', {
  fields: (t) => ({
    customerId: t.id({ required: true }),
    channel: t.string({
      required: true,
      description: 'call, email, meeting, visit, chat, letter, social or other',
    }),
    direction: t.string({ required: true, description: 'inbound or outbound' }),
    occurredAt: t.field({ type: 'DateTime', required: false, description: 'Default: now' }),
    touchpoint: t.string({ required: false }),
    summary: t.string({ required: false }),
    clientMutationId: t.id({
      required: false,
      description: 'A UUID: the event id, so a retry records nothing twice. Default: a new UUID',
    }),
  }),
});

const MakePromiseInput = builder.inputType('MakePromiseInput', {
  fields: (t) => ({
    customerId: t.id({ required: true }),
    description: t.string({ required: true }),
    dueAt: t.field({ type: 'DateTime', required: true }),
    promiseId: t.id({ required: false, description: 'Default: a new UUID' }),
    clientMutationId: t.id({
      required: false,
      description: 'A UUID: the event id, so a retry records nothing twice. Default: a new UUID',
    }),
  }),
});

/** Authorize, validate, record, wait for the read models: every mutation's path. */
async function act(
  ctx: GatewayContext,
  operation: string,
  request: MutationRequest,
  options: { defaultedData?: readonly string[]; guard?: StreamGuard | undefined; conflict?: string } = {},
) {
  const event = mutationEvent(ctx, request, options.defaultedData);
  await authorizeAct(ctx, operation, event.event.customerId);
  return recordMutation(ctx, operation, event, options);
}

builder.mutationType({
  description: 'Account managers record contacts and promises (docs/api/graphql/mutations.md)',
});

builder.mutationField('logContact', (t) =>
  t.field({
    type: RecordedEvent,
    description: 'Records a ContactLogged event for a customer in your book',
    args: { input: t.arg({ type: LogContactInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      act(ctx, 'logContact', {
        type: 'ContactLogged',
        customerId: String(input.customerId),
        clientMutationId: input.clientMutationId?.toString(),
        occurredAt: input.occurredAt,
        data: {
          channel: input.channel,
          direction: input.direction,
          touchpoint: input.touchpoint,
          summary: input.summary,
        },
        argumentPrefix: 'input.',
      }),
  }),
);

builder.mutationField('makePromise', (t) =>
  t.field({
    type: RecordedEvent,
    description: 'Records a PromiseMade event for a customer in your book; its promiseId is in data',
    args: { input: t.arg({ type: MakePromiseInput, required: true }) },
    resolve: (_root, { input }, ctx) => {
      const customerId = String(input.customerId);
      const promiseId = input.promiseId == null ? null : String(input.promiseId);
      const guards: StreamGuard[] = [];
      if (promiseId !== null) guards.push(promiseIsNew('makePromise', customerId, promiseId));
      // Made now and due before now: overdue from the start, a mistyped date.
      // Checked as a guard, so a retry of a recorded promise still answers
      // after its due time has passed.
      if (input.dueAt.getTime() < ctx.now().getTime()) {
        guards.push(() => {
          throw badInput('makePromise: input.dueAt must not be in the past');
        });
      }
      return act(
        ctx,
        'makePromise',
        {
          type: 'PromiseMade',
          customerId,
          clientMutationId: input.clientMutationId?.toString(),
          occurredAt: null,
          data: {
            promiseId: promiseId ?? randomUUID(),
            description: input.description,
            dueAt: input.dueAt.toISOString(),
          },
          argumentPrefix: 'input.',
        },
        {
          defaultedData: promiseId === null ? ['promiseId'] : [],
          guard:
            guards.length === 0
              ? undefined
              : (stream) => {
                  for (const guard of guards) guard(stream);
                },
        },
      );
    },
  }),
);

// A promise is settled once (the first PromiseKept or PromiseCancelled
// counts), so its settlement has one natural id: a UUID v5 of customer,
// promise and outcome. keepPromise and cancelPromise need no clientMutationId
// to be retried safely: a retry is a duplicate of the recorded settlement.
const SETTLEMENT_NAMESPACE = '1b0f8c5e-4d0a-4c47-9f59-3c1e1f0a7d21';
const settlementId = (customerId: string, promiseId: string, type: 'PromiseKept' | 'PromiseCancelled') =>
  uuidv5(JSON.stringify([customerId, promiseId, type]), SETTLEMENT_NAMESPACE);

function settle(
  ctx: GatewayContext,
  operation: 'keepPromise' | 'cancelPromise',
  args: { customerId: string | number; promiseId: string | number; reason?: string | null | undefined },
) {
  const customerId = String(args.customerId);
  const promiseId = String(args.promiseId);
  const type = operation === 'keepPromise' ? 'PromiseKept' : 'PromiseCancelled';
  return act(
    ctx,
    operation,
    {
      type,
      customerId,
      clientMutationId: settlementId(customerId, promiseId, type),
      occurredAt: null,
      data: { promiseId, reason: args.reason },
      argumentPrefix: '',
    },
    {
      guard: promiseIsOpen(operation, customerId, promiseId),
      conflict: `${operation}: promise ${promiseId} of customer ${customerId} was already ${
        type === 'PromiseKept' ? 'kept' : 'cancelled'
      } by another caller or with another reason`,
    },
  );
}

builder.mutationField('keepPromise', (t) =>
  t.field({
    type: RecordedEvent,
    description:
      'Records a PromiseKept event for an open (or overdue) promise of a customer in your book; a retry answers the same event',
    args: { customerId: t.arg.id({ required: true }), promiseId: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) => settle(ctx, 'keepPromise', args),
  }),
);

builder.mutationField('cancelPromise', (t) =>
  t.field({
    type: RecordedEvent,
    description:
      'Records a PromiseCancelled event for an open (or overdue) promise of a customer in your book; a retry answers the same event',
    args: {
      customerId: t.arg.id({ required: true }),
      promiseId: t.arg.id({ required: true }),
      reason: t.arg.string({ required: false }),
    },
    resolve: (_root, args, ctx) => settle(ctx, 'cancelPromise', args),
  }),
);
