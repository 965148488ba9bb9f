export { createKafkaPublisher, createKafkaSubscriber, DEFAULT_FEED_TOPIC } from './kafka-feed.ts';
export { ensureTopic, type TopicSpec } from './topics.ts';
export { createKafkaClient } from './kafka-client.ts';
