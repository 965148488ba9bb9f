import { type PlatformConfig, requireKafkaBrokers } from '@crh/config';
import type { ChangeFeedSubscriber } from '@crh/messaging';
import { createKafkaClient, createKafkaSubscriber } from '@crh/messaging/kafka';
import { createNotifySubscriber } from '@crh/messaging/postgres';
import type { Logger } from '@crh/observability';

/** The one place the gateway's change-feed adapter is chosen (CHANGE_FEED). */
export function openFeedSubscriber(
  config: PlatformConfig,
  databaseUrl: string,
  logger: Logger,
): ChangeFeedSubscriber {
  if (config.env.CHANGE_FEED === 'postgres')
    return createNotifySubscriber({ connectionString: databaseUrl, logger });
  const brokers = requireKafkaBrokers(config, 'CHANGE_FEED=kafka');
  const kafka = createKafkaClient({ brokers, clientId: `${config.env.KAFKA_CLIENT_ID}-gateway`, logger });
  // A broker that is away never stops the gateway: queries need only the
  // database. The subscriber keeps trying and /readyz says `feed: degraded`.
  return createKafkaSubscriber({ kafka, topic: config.env.CHANGE_FEED_TOPIC, logger });
}
