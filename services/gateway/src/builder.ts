import type { TierPolicy } from '@crh/domain';
import type { EventStore } from '@crh/event-store';
import SchemaBuilder from '@pothos/core';

/** What every resolver gets. `now` is injected so tests can fix the clock. */
export interface GatewayContext {
  /** Customer streams: timelines and relationships as of a day. */
  store: EventStore;
  timeZone: string;
  policy: TierPolicy;
  now: () => Date;
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
