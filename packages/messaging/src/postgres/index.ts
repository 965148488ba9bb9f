export { createNotifyPublisher, createNotifySubscriber, DEFAULT_CHANNEL } from './notify-feed.ts';
