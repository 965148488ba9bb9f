export {
  CustomerErasedError,
  CustomerKeys,
  type CustomerKeysOptions,
  type KeyErasure,
} from './customer-keys.ts';
export { openEvent, SEALED_METADATA_KEY, sealEvent } from './event-sealing.ts';
export { ENCRYPTED_PREFIX, FieldCipher, FieldIntegrityError, isSealed } from './field-cipher.ts';
export {
  defaultMasterKeyFile,
  loadMasterKey,
  MASTER_KEY_BYTES,
  type MasterKey,
  masterKeyOf,
  unwrapDataKey,
  wrapDataKey,
} from './master-key.ts';
export { holdsPersonalData, mapPersonalFields, PERSONAL_DATA_FIELDS } from './personal-fields.ts';
export { createSealingEventStore } from './sealing-event-store.ts';
