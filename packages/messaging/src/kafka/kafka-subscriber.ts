import { randomUUID } from 'node:crypto';
import type { Consumer, Kafka } from 'kafkajs';
import type { ChangeFeedSubscriber, FeedListener, FeedLogger, FeedState } from '../port.ts';
import { DEFAULT_FEED_TOPIC, FEED_PARTITIONS, FEED_TOPIC_CONFIG } from './kafka-feed.ts';
import { endOffsets, ensureTopic } from './topics.ts';

export interface KafkaSubscriberOptions {
  kafka: Kafka;
  topic?: string;
  logger: FeedLogger;
  /** Default: crh-gateway-<uuid>. */
  groupId?: string;
  /** How long `start` waits for the broker before it resolves degraded (default 5 s). */
  startWaitMs?: number;
  /** The pause after a failed attempt: doubles from this (default 1 s) up to `maxRetryMs` (default 15 s). */
  retryMs?: number;
  maxRetryMs?: number;
}

/**
 * Each subscriber is a consumer group of its own, so every gateway instance
 * sees every change. It starts at the end of the topic as it was when
 * `start` was called: what was published before is history.
 *
 * A broker that is away never stops the process: `start` resolves after at
 * most `startWaitMs` either way, the subscriber says `degraded` and keeps
 * trying with backoff. When it joins after an outage at start, it reads
 * from what was published since `start` was called (the broker's
 * timestamps); when the consumer loses the broker mid-run it goes on after
 * the last message it delivered, so changes published meanwhile arrive if
 * the topic still holds them (an hour).
 */
export function createKafkaSubscriber(options: KafkaSubscriberOptions): ChangeFeedSubscriber {
  const topic = options.topic ?? DEFAULT_FEED_TOPIC;
  const groupId = options.groupId ?? `crh-gateway-${randomUUID()}`;
  const startWaitMs = options.startWaitMs ?? 5_000;
  const retryMs = options.retryMs ?? 1_000;
  const maxRetryMs = options.maxRetryMs ?? 15_000;
  const log = options.logger;
  let state: FeedState = 'degraded';
  let closed = false;
  let consumer: Consumer | undefined;
  let retryTimer: NodeJS.Timeout | undefined;
  let startedAt = 0;
  // Where each partition goes on: after the last delivered message, or
  // where this subscriber began. Empty until the first successful attempt.
  const next = new Map<number, string>();

  async function startingOffsets(fromTimestamp: boolean): Promise<void> {
    const admin = options.kafka.admin();
    await admin.connect();
    try {
      await ensureTopic(admin, { topic, partitions: FEED_PARTITIONS, config: FEED_TOPIC_CONFIG });
      if (next.size > 0) return;
      const offsets = fromTimestamp
        ? await admin.fetchTopicOffsetsByTimestamp(topic, startedAt)
        : await endOffsets(admin, topic);
      for (const { partition, offset } of offsets) next.set(partition, offset);
    } finally {
      await admin.disconnect();
    }
  }

  /** One try: resolves once the consumer joined its group, rejects if it could not. */
  async function attempt(listener: FeedListener, fromTimestamp: boolean): Promise<void> {
    await startingOffsets(fromTimestamp);
    if (closed) return; // closed while the broker was being reached
    const c = options.kafka.consumer({
      groupId,
      // A group per process is never rejoined by another: no need to wait.
      rebalanceTimeout: 10_000,
    });
    consumer = c;
    let joinedOnce = false;
    const joined = new Promise<void>((resolve, reject) => {
      c.on(c.events.GROUP_JOIN, () => {
        // Each join (the first, and kafkajs's own restarts after a lost
        // broker) goes on where delivery stopped, not at the group's default.
        for (const [partition, offset] of next) c.seek({ topic, partition, offset });
        if (state === 'degraded') log.info({ topic }, 'change feed: Kafka consumer joined; feed is up');
        state = 'up';
        joinedOnce = true;
        resolve();
      });
      c.on(c.events.CRASH, ({ payload }) => {
        state = 'degraded';
        log.error(
          { err: payload.error, restart: payload.restart },
          'change feed: Kafka consumer crashed; feed degraded',
        );
        // kafkajs restarts it itself when it can; when it gives up, so
        // does this consumer, and a fresh one is tried after a pause.
        if (payload.restart) return;
        if (joinedOnce) retry(listener, 0);
        else reject(payload.error);
      });
    });
    // Awaited only after run(): a crash before then must not go unhandled.
    joined.catch(() => {});
    await c.connect();
    await c.subscribe({ topics: [topic], fromBeginning: false });
    await c.run({
      // Offsets of a throwaway group are worth nothing; positions are kept here.
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        const values: unknown[] = [];
        const traceparents = new Set<string>();
        for (const message of batch.messages) {
          if (!message.value) continue;
          const traceparent = message.headers?.traceparent?.toString();
          if (traceparent) traceparents.add(traceparent);
          try {
            values.push(JSON.parse(message.value.toString('utf8')));
          } catch (error) {
            log.error({ err: error, offset: message.offset }, 'change feed: unreadable message skipped');
          }
        }
        if (values.length > 0) listener(values, [...traceparents]);
        if (batch.messages.length > 0) next.set(batch.partition, String(BigInt(batch.lastOffset()) + 1n));
      },
    });
    if (closed) return void (await c.disconnect());
    await joined;
  }

  function retry(listener: FeedListener, failures: number): void {
    if (closed) return;
    const previous = consumer;
    consumer = undefined;
    void previous?.disconnect().catch(() => {});
    const pause = Math.min(maxRetryMs, retryMs * 2 ** failures);
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      if (closed) return;
      attempt(listener, true).catch((error: unknown) => {
        const nextPause = Math.min(maxRetryMs, retryMs * 2 ** (failures + 1));
        log.warn({ err: error, retryInMs: nextPause }, 'change feed: Kafka unreachable; trying again');
        retry(listener, failures + 1);
      });
    }, pause);
    retryTimer.unref();
  }

  return {
    async start(listener: FeedListener) {
      startedAt = Date.now();
      let waited = false;
      const first = attempt(listener, false).catch((error: unknown) => {
        log.error(
          { err: error },
          'change feed: Kafka unreachable; serving without live updates, trying again in the background',
        );
        retry(listener, 0);
      });
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        first,
        new Promise<void>((resolve) => {
          timer = setTimeout(() => {
            waited = true;
            resolve();
          }, startWaitMs);
        }),
      ]);
      clearTimeout(timer);
      if (waited && state === 'degraded') {
        log.warn({ waitedMs: startWaitMs }, 'change feed: Kafka not joined yet; starting degraded');
      }
    },
    state: () => state,
    async close() {
      closed = true;
      clearTimeout(retryTimer);
      await consumer?.disconnect();
    },
  };
}
