import { type PlatformConfig, requireKafkaBrokers } from '@crh/config';
import type { ChangeFeedPublisher } from '@crh/messaging';
import { createKafkaClient, createKafkaPublisher } from '@crh/messaging/kafka';
import { createNotifyPublisher } from '@crh/messaging/postgres';
import type { Logger } from '@crh/observability';
import type { KeyedChange } from '@crh/read-models/projection';
import type { Pool } from 'pg';

/** The one place the projector's change-feed adapter is chosen (CHANGE_FEED). */
export function openFeedPublisher(config: PlatformConfig, pool: Pool, logger: Logger): ChangeFeedPublisher {
  if (config.env.CHANGE_FEED === 'postgres') return createNotifyPublisher({ pool });
  const brokers = requireKafkaBrokers(config, 'CHANGE_FEED=kafka');
  const kafka = createKafkaClient({ brokers, clientId: `${config.env.KAFKA_CLIENT_ID}-projector`, logger });
  return createKafkaPublisher({ kafka, topic: config.env.CHANGE_FEED_TOPIC });
}

/**
 * Publishes after commit. A failure loses only live notifications (the read
 * models hold the truth, and dashboards re-query when they reconnect), so it
 * is logged, counted and never stops the projection.
 */
export function publishing(
  feed: ChangeFeedPublisher,
  logger: Logger,
  onFailure: (changes: number) => void,
): (changes: KeyedChange[]) => Promise<void> {
  // One publish at a time, in the order asked: batches and day turns
  // commit in turn (the projection clock) but run on two loops, so their
  // publishes must not overtake each other.
  let queue: Promise<void> = Promise.resolve();
  return (changes) => {
    if (changes.length === 0) return queue;
    queue = queue.then(async () => {
      try {
        await feed.publish(changes);
      } catch (error) {
        onFailure(changes.length);
        logger.error(
          { err: error, changes: changes.length },
          'change feed: publish failed; live subscribers miss these',
        );
      }
    });
    return queue;
  };
}
