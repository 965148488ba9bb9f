export { createKafkaClient } from './kafka-client.ts';
export { createKafkaPublisher, DEFAULT_FEED_TOPIC } from './kafka-feed.ts';
export { createKafkaSubscriber, type KafkaSubscriberOptions } from './kafka-subscriber.ts';
export { ignoreKafkajsTimeoutWarning } from './kafka-warnings.ts';
export { ensureTopic, type TopicSpec } from './topics.ts';
