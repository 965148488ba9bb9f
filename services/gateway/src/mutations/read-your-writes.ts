import { RELATIONSHIPS_PROJECTION, readCheckpoint } from '@crh/read-models/schema';
import type { GatewayContext } from '../builder.ts';

/** Poll intervals, ms: quick at first (the projector usually applies an event within tens of ms), then at most every 100 ms. */
const BACKOFF_MS = [5, 10, 20, 40, 80, 100] as const;

/**
 * Waits until the read models have applied the event at `position` of this
 * customer, for at most ctx.readYourWritesTimeoutMs; answers whether they did.
 *
 * The projector's checkpoint is the truth: it commits with the rows, so a
 * checkpoint at or past the position means every query sees the event. It
 * is polled with backoff (one primary-key read each time). The change feed
 * wakes the wait early: the projector announces an event only after its batch
 * committed, so seeing this customer's event (or a later one of it) on the hub
 * means the checkpoint has passed. The feed alone would not do: a gateway
 * without one (createApp in tests), a Kafka feed that lags the commit, and a
 * projector rebuilding quietly (announcing nothing) all leave it silent.
 */
export async function readModelsApplied(
  ctx: GatewayContext,
  target: { customerId: string; position: string },
): Promise<boolean> {
  const deadline = performance.now() + ctx.readYourWritesTimeoutMs;
  let announced = false;
  let wake = () => {};
  // The gateway's own wait, not a client's subscription: unscoped (the act was authorized).
  const feed = ctx.live.events({ customerId: target.customerId, types: null, accountManagerId: null });
  void (async () => {
    for await (const event of feed) {
      if (event.position >= target.position) {
        announced = true;
        wake();
        return;
      }
    }
  })().catch(() => undefined); // a wait that fell behind on the hub still has the poll
  try {
    for (let attempt = 0; ; attempt++) {
      if (announced) return true;
      const checkpoint = await readCheckpoint(ctx.db, RELATIONSHIPS_PROJECTION);
      if (announced || (checkpoint !== null && checkpoint >= target.position)) return true;
      const left = deadline - performance.now();
      if (left <= 0) return false;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(
          resolve,
          Math.min(left, BACKOFF_MS[Math.min(attempt, BACKOFF_MS.length - 1)]!),
        );
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  } finally {
    await feed.return?.();
  }
}
