export { openFeedPublisher } from './change-feed.ts';
export { sealingOptionsOf, verifyMasterKey } from './sealing-options.ts';
export { type ServiceName, type ServiceOptions, type ServiceRuntime, startService } from './start-service.ts';
