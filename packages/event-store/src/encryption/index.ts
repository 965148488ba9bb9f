export {
  CustomerErasedError,
  CustomerKeys,
  type CustomerKeysOptions,
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
export { PERSONAL_DATA_FIELDS } from './personal-fields.ts';
