import { can, type Principal } from '@crh/auth';
import type { ComplaintSla, HealthWeights, RuleContext } from '@crh/domain';
import type { EventStore } from '@crh/event-store';
import type { Logger } from '@crh/observability';
import type { Queryable } from '@crh/read-models/schema';
import SchemaBuilder from '@pothos/core';
import ComplexityPlugin from '@pothos/plugin-complexity';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import { fieldCost } from './limits/field-cost.ts';
import type { ChangeHub } from './live/change-hub.ts';
import type { RequestLoaders } from './loaders/request-loaders.ts';
import { forbidden } from './user-errors.ts';

/** What every resolver gets. `now` is injected so tests can fix the clock. */
export interface GatewayContext {
  /** Who is asking: from the request's bearer token (or graphql-ws connection_init). */
  principal: Principal;
  /** The event log (timelines read it through `loaders`). */
  store: EventStore;
  /** Read models: relationships as of any day. */
  db: Queryable;
  /** Time zone, tier policy, cadence: the same as the projector's. */
  rules: RuleContext;
  healthWeights: HealthWeights;
  /** Complaint service levels in hours. */
  complaintSla: ComplaintSla;
  now: () => Date;
  /** What subscriptions listen to: the change feed, fanned out in this process. */
  live: ChangeHub;
  /** Refusals and lags worth an operator's eye. */
  logger: Logger;
  /** How long a mutation waits for the read models to apply its event (read-your-writes). */
  readYourWritesTimeoutMs: number;
  /** Per request: what each item of a list asks for, one round trip for the whole list. */
  loaders: RequestLoaders;
}

export type GatewayScalars = {
  Date: { Input: string; Output: string };
  DateTime: { Input: Date; Output: Date | string };
  JSON: { Input: unknown; Output: unknown };
};

/**
 * What a caller may, as field rules ask for it: one scope per permission of
 * @crh/auth (never a role name). Which rows of a book a reader sees is
 * decided in the resolvers (auth/book-scope.ts).
 */
export interface GatewayAuthScopes {
  readOwnBook: boolean;
  readAll: boolean;
  actOwnBook: boolean;
  actAny: boolean;
  admin: boolean;
}

/** Any of these lets a caller read: its own book, or every book. */
export const READERS = { readOwnBook: true, readAll: true } as const;

// The builder holds no types of its own: each lives in schema/<type>.ts.
export const builder = new SchemaBuilder<{
  Context: GatewayContext;
  Scalars: GatewayScalars;
  DefaultFieldNullability: false;
  AuthScopes: GatewayAuthScopes;
}>({
  // Scope auth first: its checks run before any other plugin's wrapping.
  plugins: [ScopeAuthPlugin, ComplexityPlugin],
  // Field costs only: limits/cost-limit.ts checks them before execution.
  complexity: { fieldComplexity: fieldCost, disabled: true },
  defaultFieldNullability: false,
  scopeAuth: {
    // A subscription is refused when it is made, not at its first event.
    authorizeOnSubscribe: true,
    authScopes: ({ principal }) => ({
      readOwnBook: can(principal, 'read:own-book'),
      readAll: can(principal, 'read:all'),
      actOwnBook: can(principal, 'act:own-book'),
      actAny: can(principal, 'act:any'),
      admin: can(principal, 'admin'),
    }),
    // No data for the field, and nothing about what exists: only what was refused.
    unauthorizedError: (_parent, _context, info) =>
      forbidden(`${info.parentType.name}.${info.fieldName} is not allowed with this token`),
  },
});

// Every query field needs a reading permission unless it says otherwise:
// a new field is closed until someone decides who may read it.
builder.queryType({ authScopes: READERS });
