export { createRelay, type Relay, type RelayDeps, type RelayLogger } from './relay.ts';
export { POSITION_HEADER } from './relay-message.ts';
