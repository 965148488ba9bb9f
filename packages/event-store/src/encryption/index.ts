export {
  type ErasureAudit,
  type ErasureOutcome,
  type ErasureRequest,
  eraseCustomer,
  erasureEventId,
  UnknownCustomerError,
} from './customer-erasure.ts';
export {
  CustomerErasedError,
  CustomerKeys,
  type CustomerKeysOptions,
  ERASURE_CHANNEL,
  type KeyErasure,
  MasterKeyMismatchError,
} from './customer-keys.ts';
export {
  CUSTOMER_KEYS_MIGRATION_PLAN,
  type CustomerKeyGrants,
  grantCustomerKeys,
  migrateCustomerKeys,
} from './customer-keys-schema.ts';
export { MissingKeyError } from './event-sealing.ts';
export { ENCRYPTED_PREFIX, isSealed } from './field-cipher.ts';
export { loadMasterKey, type MasterKey, masterKeyOf } from './master-key.ts';
export { createSealingEventStore } from './sealing-event-store.ts';
