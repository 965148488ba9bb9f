export { openFeedPublisher } from './change-feed.ts';
export { type ServiceName, type ServiceOptions, type ServiceRuntime, startService } from './start-service.ts';
