export { activeTraceparent } from './feed-trace-context.ts';
export { packPayloads } from './payload-packing.ts';
export type {
  ChangeFeedPublisher,
  ChangeFeedSubscriber,
  FeedListener,
  FeedLogger,
  FeedMessage,
  FeedState,
} from './port.ts';
