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
export {
  type EncryptExistingOptions,
  type EncryptExistingProgress,
  encryptExistingEvents,
} from './encrypt-existing.ts';
export { MissingKeyError, openEvent, sealEvent } from './event-sealing.ts';
export { ENCRYPTED_PREFIX, FieldCipher, isSealed } from './field-cipher.ts';
export { loadMasterKey, type MasterKey, masterKeyOf } from './master-key.ts';
export { holdsPersonalData } from './personal-fields.ts';
export {
  type CustomerKeySource,
  createSealedEnvelopeReader,
  customerKeysFromApi,
  type SealedEnvelope,
} from './sealed-envelope-reader.ts';
export { createSealingEventStore } from './sealing-event-store.ts';
