export { DomainError } from './domain-error.ts';
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
  TIERS,
  type Tier,
} from './event-catalogue.ts';
export {
  byOccurrence,
  compareKeys,
  emptyFold,
  extendsFold,
  type FoldKey,
  foldEvent,
  foldHistory,
  type PositionedEvent,
  type RelationshipFold,
} from './relationship-fold.ts';
export {
  RELATIONSHIP_STATUSES,
  type RelationshipState,
  type RelationshipStatus,
  type RuleContext,
  relationshipAsOf,
  relationshipFromFold,
  statusFor,
} from './relationship-state.ts';
export { normaliseRfc3339 } from './rfc3339.ts';
export {
  appendMerged,
  intervalOn,
  intervalsOfFold,
  type StatusInterval,
  statusIntervals,
} from './status-intervals.ts';
export { DEFAULT_TIER_POLICY, parseTierPolicy, type TierPolicy, type TierThresholds } from './tier-policy.ts';
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
