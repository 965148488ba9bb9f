import { type PlatformConfig, requireKafkaBrokers } from '@crh/config';
import type { ChangeFeedPublisher } from '@crh/messaging';
import { createKafkaClient, createKafkaPublisher } from '@crh/messaging/kafka';
import { createNotifyPublisher } from '@crh/messaging/postgres';
import type { Logger } from '@crh/observability';
import type { Pool } from 'pg';

/**
 * The one place a change-feed publisher is chosen (CHANGE_FEED): the
 * projector publishes its batches on it, `crh parked retry | skip` what
 * they apply. `role` names the Kafka client (`<KAFKA_CLIENT_ID>-<role>`).
 */
export function openFeedPublisher(
  config: PlatformConfig,
  pool: Pool,
  logger: Logger,
  role = 'projector',
): ChangeFeedPublisher {
  if (config.env.CHANGE_FEED === 'postgres') return createNotifyPublisher({ pool });
  const brokers = requireKafkaBrokers(config, 'CHANGE_FEED=kafka');
  const kafka = createKafkaClient({ brokers, clientId: `${config.env.KAFKA_CLIENT_ID}-${role}`, logger });
  return createKafkaPublisher({ kafka, topic: config.env.CHANGE_FEED_TOPIC });
}
