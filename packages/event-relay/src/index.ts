export { createRelay, type Relay, type RelayDeps, type RelayLogger } from './relay.ts';
export {
  grantRelayCheckpoints,
  migrateRelayCheckpoints,
  RELAY_MIGRATION_PLAN,
} from './relay-checkpoint.ts';
export { measureRelayLag, type RelayLag } from './relay-lag.ts';
export { POSITION_HEADER, toRelayMessage } from './relay-message.ts';
export { relayMessageSchema } from './relay-message-schema.ts';
