import type { IncomingEvent } from '@crh/domain';
import { IdConflictError, type RecordedEvent, WrongExpectedRevisionError } from '@crh/event-store';
import type { GatewayContext } from '../builder.ts';
import { badInput } from '../user-errors.ts';
import type { MutationEvent } from './mutation-event.ts';
import { readModelsApplied } from './read-your-writes.ts';
import { noteWarning } from './write-warnings.ts';

/** Throws BAD_USER_INPUT when the customer's stream does not allow the event (e.g. keeping a settled promise). */
export type StreamGuard = (stream: readonly RecordedEvent[]) => void;

/** Appends tried again after a concurrent append to the same stream changed what the guard saw. */
const GUARDED_ATTEMPTS = 5;

/**
 * Records a mutation's event and answers it once the read models show it.
 *
 * Idempotent by the event id (clientMutationId): an id the store already
 * holds is answered with the stored event, provided it is the same request
 * (type, customer, actor, and every field the caller gave); else the retry is
 * refused (BAD_USER_INPUT), never answered with data it did not ask for.
 *
 * With a guard, the customer's stream is read first and the append expects
 * the stream's revision as read, so two managers keeping and cancelling the
 * same promise at once cannot both succeed: the second sees the first.
 */
export async function recordMutation(
  ctx: GatewayContext,
  operation: string,
  { event, defaulted }: MutationEvent,
  options: { guard?: StreamGuard | undefined; conflict?: string | undefined } = {},
): Promise<RecordedEvent> {
  const { guard } = options;
  const stored = guard ? await appendGuarded(ctx, event, guard) : await append(ctx, event);
  if (stored === null || !sameRequest(stored, event, defaulted)) {
    throw badInput(
      options.conflict ??
        `${operation}: clientMutationId ${event.id} was already used for a different event; a retry repeats the same request, a new request needs a new clientMutationId`,
    );
  }
  if (!(await readModelsApplied(ctx, stored))) {
    ctx.logger.warn(
      { operation, position: stored.position, timeoutMs: ctx.readYourWritesTimeoutMs },
      'read-your-writes: the read models had not applied a recorded mutation in time',
    );
    noteWarning(ctx, {
      code: 'READ_MODELS_LAG',
      message: `the event is recorded, but the read models had not applied it within ${ctx.readYourWritesTimeoutMs} ms: queries may not show it yet`,
      path: [operation],
    });
  }
  return stored;
}

async function appendGuarded(
  ctx: GatewayContext,
  event: IncomingEvent,
  guard: StreamGuard,
): Promise<RecordedEvent | null> {
  for (let attempt = 1; ; attempt++) {
    const stream = await ctx.store.readStream(event.customerId);
    // A retry of a recorded mutation: answered as a duplicate, whatever the stream says since.
    if (stream.some((e) => e.id === event.id)) return append(ctx, event);
    guard(stream);
    try {
      return await append(ctx, { ...event, expectedRevision: stream.at(-1)?.revision ?? -1 });
    } catch (error) {
      if (!(error instanceof WrongExpectedRevisionError) || attempt >= GUARDED_ATTEMPTS) throw error;
    }
  }
}

/**
 * Appends one event; answers it as stored (the original, for a known id), or
 * null when the id is already another customer's event.
 */
async function append(ctx: GatewayContext, event: IncomingEvent): Promise<RecordedEvent | null> {
  let outcome: Awaited<ReturnType<typeof ctx.store.append>>[number] | undefined;
  try {
    [outcome] = await ctx.store.append([event]);
  } catch (error) {
    // The store refuses an id it holds with other content. A retry differs
    // in the fields the gateway defaulted (occurredAt: now), which
    // sameRequest forgives, so it decides with the stored event.
    if (error instanceof IdConflictError) return storedById(ctx, event);
    throw error;
  }
  if (!outcome) throw new Error('the event store answered no outcome for one event');
  const [stored] = await ctx.store.readStream(event.customerId, { fromRevision: outcome.revision, limit: 1 });
  if (stored?.id === event.id) return stored;
  if (outcome.status === 'duplicate') return null;
  throw new Error(`event ${event.id} was recorded but is not at revision ${outcome.revision} of its stream`);
}

/** The stored event with this id in the request's customer stream; null when it is another customer's. */
async function storedById(ctx: GatewayContext, event: IncomingEvent): Promise<RecordedEvent | null> {
  const stream = await ctx.store.readStream(event.customerId);
  return stream.find((e) => e.id === event.id) ?? null;
}

/** Is the stored event what this request asks for? Fields the gateway defaulted take the stored values. */
function sameRequest(stored: RecordedEvent, event: IncomingEvent, defaulted: ReadonlySet<string>): boolean {
  if (stored.id !== event.id || stored.type !== event.type || stored.customerId !== event.customerId)
    return false;
  if ((stored.actorId ?? undefined) !== event.actorId) return false;
  if (!defaulted.has('occurredAt') && stored.occurredAt !== event.occurredAt) return false;
  const storedData = (stored.data ?? {}) as Record<string, unknown>;
  const asked: Record<string, unknown> = { ...(event.data as Record<string, unknown>) };
  for (const path of defaulted) {
    if (!path.startsWith('data.')) continue;
    const field = path.slice('data.'.length);
    if (field in storedData) asked[field] = storedData[field];
    else delete asked[field];
  }
  return canonical(asked) === canonical(storedData);
}

/** Data is flat (strings, numbers, booleans): sorted keys make equal objects equal text. */
const canonical = (data: Record<string, unknown>) => JSON.stringify(data, Object.keys(data).sort());
