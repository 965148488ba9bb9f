export { type CadencePolicy, DEFAULT_CADENCE, median } from './cadence.ts';
export { canonicalJson, envelopeContent } from './canonical-json.ts';
export {
  type ComplaintOutcome,
  type ComplaintSla,
  complaintOutcome,
  DEFAULT_COMPLAINT_SLA,
  longestSilenceHoursAt,
  OUTCOME_WINDOW_DAYS,
  parseComplaintSla,
  type SlaBreach,
  type SlaKind,
  slaBreaches,
  slaDeadline,
} from './complaint-sla.ts';
export {
  addDelight,
  type ComplaintRecord,
  type CustomerSignals,
  customerSignals,
  DAY_COUNT_FIELDS,
  diffDayCounts,
  mergeDayCounts,
  type NpsAnswer,
  ORGANISATION_SCOPE,
  type PromiseRecord,
  RETENTION_DAYS,
  type ScopedDayCounts,
  type ScopedDelight,
} from './customer-signals.ts';
export { asOfInstant } from './day-instant.ts';
export { type Instant, isPastDeadline } from './deadline.ts';
export { DomainError } from './domain-error.ts';
export {
  actorIdSchema,
  CUSTOMER_ID_PATTERN,
  customerIdSchema,
  EVENT_ID_PATTERN,
  eventEnvelopeSchema,
  eventTypeSchema,
  ingestRequestSchema,
  MAX_ACTOR_ID_LENGTH,
  MAX_EVENTS_PER_REQUEST,
  MAX_METADATA_BYTES,
  metadataSchema,
  namedEventDataSchemas,
  namedRecordedDataSchemas,
  recordedEventTypeSchema,
  unionByEventType,
} from './envelope-schema.ts';
export {
  type BatchValidation,
  type IncomingEvent,
  parseRecordedEvent,
  type ValidationIssue,
  validateEnvelope,
  validateEventBatch,
} from './envelope-validation.ts';
export {
  CONTACT_EVENT_TYPES,
  type DomainEvent,
  EVENT_TYPES,
  type EventDataMap,
  type EventOf,
  type EventType,
  eventDataSchemas,
  isContactEvent,
  isEventType,
  isPlatformEventType,
  isRecordedEventType,
  PLATFORM_EVENT_TYPES,
  type PlatformEventType,
  platformEventDataSchemas,
  RECORDED_EVENT_TYPES,
  type RecordedDataMap,
  type RecordedEventType,
  recordedDataSchemas,
  type SentEvent,
  TIERS,
  type Tier,
} from './event-catalogue.ts';
export { EVENT_MEANINGS } from './event-meanings.ts';
export {
  DEFAULT_HEALTH_WEIGHTS,
  HEALTH_BANDS,
  HEALTH_FACTORS,
  type HealthBand,
  type HealthFactor,
  type HealthFactorKind,
  type HealthScore,
  type HealthWeights,
  healthScore,
  parseHealthWeights,
} from './health-score.ts';
export { keptInstantSchema, NORMAL_INSTANT, SENT_INSTANT_META, sentInstantSchema } from './instant-schema.ts';
export { type JsonSchemaDocumentOptions, jsonSchemaDocument } from './json-schema-document.ts';
export {
  NPS_BUCKETS,
  NPS_PASSIVE_FROM,
  NPS_PROMOTER_FROM,
  type NpsBucket,
  npsBucket,
  npsOf,
} from './nps.ts';
export { type Measured, type Outlier, outliersAbove, outliersAmong } from './outlier-stats.ts';
export {
  type Erasable,
  PERSONAL_DATA_FIELDS,
  PERSONAL_FIELD_NAMES,
  type PersonalField,
} from './personal-fields.ts';
export { RECENT_DAYS, recentWindowStart } from './recent-window.ts';
export {
  byOccurrence,
  CONTACT_DAYS_KEPT,
  compareKeys,
  emptyFold,
  extendsFold,
  type FoldKey,
  foldHistory,
  type PositionedEvent,
  type RelationshipFold,
} from './relationship-fold.ts';
export type { RelationshipSnapshot, RuleContext } from './relationship-snapshot.ts';
export {
  ACTIVE_STATUSES,
  isActiveStatus,
  overduePromiseCount,
  RELATIONSHIP_STATUSES,
  type RelationshipState,
  type RelationshipStatus,
  stateOn,
} from './relationship-state.ts';
export { normaliseRfc3339 } from './rfc3339.ts';
export { type SignalEntry, withSignals } from './signal-history.ts';
export {
  type IntervalWalk,
  intervalOn,
  type StatusInterval,
  spliceIntervals,
  stateOnInterval,
  statusIntervals,
  walkIntervals,
} from './status-intervals.ts';
export { MAX_JSON_DEPTH, unstorableJson, unstorableText } from './storable-json.ts';
export { DEFAULT_TIER_POLICY, parseTierPolicy, type TierPolicy, type TierThresholds } from './tier-policy.ts';
export {
  CALL_REASONS,
  type CallReason,
  type CallSuggestion,
  callReasons,
  todaysCalls,
} from './todays-calls.ts';
export {
  addDays,
  daysBetween,
  endOfDayExclusive,
  isLocalDate,
  isValidTimeZone,
  type LocalDate,
  localDateOf,
  startOfDay,
} from './zoned-date.ts';
