export { openFeedPublisher } from './change-feed.ts';
export { sealingOptionsOf } from './sealing-options.ts';
export { type ServiceName, type ServiceOptions, type ServiceRuntime, startService } from './start-service.ts';
