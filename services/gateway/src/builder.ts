import type { Principal } from '@crh/auth';
import type { ComplaintSla, HealthWeights, RuleContext } from '@crh/domain';
import type { EventStore, RecordedEvent } from '@crh/event-store';
import type { Logger } from '@crh/observability';
import type { Queryable } from '@crh/read-models/schema';
import SchemaBuilder from '@pothos/core';
import type DataLoader from 'dataloader';
import type { ChangeHub } from './live/change-hub.ts';

/** What every resolver gets. `now` is injected so tests can fix the clock. */
export interface GatewayContext {
  /** Who is asking: from the request's bearer token (or graphql-ws connection_init). */
  principal: Principal;
  /** Customer streams: timelines. */
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
  /** Per request: customer streams, one store round trip for a whole list. */
  streams: DataLoader<string, RecordedEvent[]>;
  /** Refusals and lags worth an operator's eye. */
  logger: Logger;
  /** How long a mutation waits for the read models to apply its event (read-your-writes). */
  readYourWritesTimeoutMs: number;
}

export type GatewayScalars = {
  Date: { Input: string; Output: string };
  DateTime: { Input: Date; Output: Date | string };
  JSON: { Input: unknown; Output: unknown };
};

// The builder holds no types of its own: each lives in schema/<type>.ts.
export const builder = new SchemaBuilder<{
  Context: GatewayContext;
  Scalars: GatewayScalars;
  DefaultFieldNullability: false;
}>({ defaultFieldNullability: false });

builder.queryType({});
