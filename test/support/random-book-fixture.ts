import type { GatewayFixture } from '@crh/gateway/testing';
import { expect } from 'vitest';
import type { KpiOracleEvent } from './kpi-oracle.ts';
import { mulberry32, type RandomHistory } from './random-history.ts';

/**
 * Sends a random history the way clients would (in small batches, partly
 * late, projecting at random moments, then re-sending duplicates) and
 * returns the events as stored, with their log positions, for the oracles.
 */
export async function sendRandomBook(
  fixture: GatewayFixture,
  history: RandomHistory,
): Promise<KpiOracleEvent[]> {
  const random = mulberry32(17);
  const { events: order, duplicates } = history.sendOrder;
  const { store } = fixture.database;
  for (let i = 0; i < order.length; i += 25) {
    await store.append(order.slice(i, i + 25));
    if (random() < 0.4) await fixture.projector.catchUp();
  }
  await store.append(duplicates);
  await fixture.projector.catchUp();

  const customers = [...new Set(order.map((e) => e.customerId))];
  const streams = await store.readStreams(customers);
  const events = [...streams.values()].flat().map((e) => ({
    id: e.id,
    type: e.type,
    customerId: e.customerId,
    occurredAt: e.occurredAt,
    data: e.data as Record<string, unknown>,
    position: e.position,
    ...(e.actorId ? { actorId: e.actorId } : {}),
  }));
  expect(events).toHaveLength(order.length); // re-sent ids were recorded once
  return events;
}
