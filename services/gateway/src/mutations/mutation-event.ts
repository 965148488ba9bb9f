import { randomUUID } from 'node:crypto';
import { type EventType, type IncomingEvent, validateEnvelope } from '@crh/domain';
import { GraphQLError } from 'graphql';
import type { GatewayContext } from '../builder.ts';

/** The event types the mutations record. */
export type MutationEventType = Extract<
  EventType,
  'ContactLogged' | 'PromiseMade' | 'PromiseKept' | 'PromiseCancelled'
>;

/** What a mutation asks to record, before the gateway fills in defaults. */
export interface MutationRequest {
  type: MutationEventType;
  customerId: string;
  clientMutationId: string | null | undefined;
  occurredAt: Date | null | undefined;
  /** The event's data; fields left undefined are left out. */
  data: Record<string, unknown>;
  /** How the arguments are named in the operation: `input.` for an input object, '' for plain arguments. */
  argumentPrefix: string;
}

/** An event ready to append, and which of its fields the gateway chose because the caller left them out. */
export interface MutationEvent {
  event: IncomingEvent;
  /** `occurredAt` and `data.<field>`: a retry chooses them again, so they are not compared. */
  defaulted: ReadonlySet<string>;
}

/**
 * The envelope a mutation records, checked by the same validation as the
 * ingest API (the domain's validateEnvelope): the caller's account manager id
 * (or sub) as actorId, now as occurredAt unless given, clientMutationId as
 * the event id (else a new UUID). Problems answer BAD_USER_INPUT, named by
 * the operation's arguments.
 */
export function mutationEvent(
  ctx: GatewayContext,
  request: MutationRequest,
  defaultedData: readonly string[] = [],
): MutationEvent {
  const defaulted = new Set(defaultedData.map((field) => `data.${field}`));
  if (request.occurredAt == null) defaulted.add('occurredAt');
  const data = Object.fromEntries(Object.entries(request.data).filter(([, value]) => value != null));
  const result = validateEnvelope({
    id: request.clientMutationId == null ? randomUUID() : String(request.clientMutationId),
    type: request.type,
    customerId: request.customerId,
    occurredAt: (request.occurredAt ?? ctx.now()).toISOString(),
    actorId: ctx.principal.managerId ?? ctx.principal.sub,
    data,
  });
  if (!result.ok) throw invalidInput(result.issues, request.argumentPrefix);
  return { event: result.event, defaulted };
}

/** Envelope paths as the operation names them. */
function argumentOf(path: string, prefix: string): string {
  if (path === 'id') return `${prefix}clientMutationId`;
  if (path === 'actorId') return 'actorId (the token’s manager_id or sub)';
  if (path.startsWith('data.')) return `${prefix}${path.slice('data.'.length)}`;
  return `${prefix}${path}`;
}

function invalidInput(issues: readonly { path: string; message: string }[], prefix: string): GraphQLError {
  const named = issues.map(({ path, message }) => {
    const argument = argumentOf(path, prefix);
    // The domain's messages start with the envelope path: say the argument instead.
    return {
      argument,
      message: message.startsWith(`${path} `) ? `${argument}${message.slice(path.length)}` : message,
    };
  });
  return new GraphQLError(named.map((issue) => issue.message).join(' '), {
    extensions: { code: 'BAD_USER_INPUT', issues: named },
  });
}
