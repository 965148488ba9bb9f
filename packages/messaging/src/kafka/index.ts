export { createKafkaClient } from './kafka-client.ts';
export { createKafkaPublisher, createKafkaSubscriber, DEFAULT_FEED_TOPIC } from './kafka-feed.ts';
export { ignoreKafkajsTimeoutWarning } from './kafka-warnings.ts';
export { ensureTopic, type TopicSpec } from './topics.ts';
