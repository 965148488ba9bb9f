import type { RecordedEventType } from './event-catalogue.ts';

/** One line per event type: what happened. The schemas and the API documents show them. */
export const EVENT_MEANINGS: Record<RecordedEventType, string> = {
  CustomerOnboarded:
    'The customer became a customer: starts its relationship clock. A second onboarding of the same customer is ignored.',
  CustomerProfileUpdated: 'Name, segment or contract value changed (at least one of them).',
  CustomerTierChanged: 'The customer moved to another tier, which sets how soon silence counts.',
  AccountManagerAssigned: 'Another account manager owns the customer from now on.',
  ContactLogged: 'A contact with the customer, either direction.',
  ComplaintReceived: 'The customer complained; complaintId is unique per customer.',
  ComplaintAcknowledged: 'The complaint was acknowledged to the customer.',
  ComplaintUpdateSent: 'The customer was told how the complaint stands.',
  ComplaintResolved: 'The complaint was resolved.',
  ComplaintReopened: 'A resolved complaint is open again.',
  RecoveryGestureMade:
    'A gesture to make up for a complaint; any kind but discount or refund marks it beyond repair.',
  ComplaintFeedbackReceived: 'The customer said whether the handling of the complaint satisfied them.',
  ComplimentReceived: 'The customer paid a compliment.',
  NpsResponded: 'A Net Promoter Score answer: 9-10 promoter, 7-8 passive, 0-6 detractor.',
  PromiseMade: 'A promise to the customer, due at dueAt.',
  PromiseKept: 'The promise was kept: on time when it occurred at or before its dueAt.',
  PromiseCancelled: 'The promise no longer stands.',
  DelightMomentRecorded: 'An employee (actorId) delighted the customer.',
  CustomerChurned: 'The customer left.',
  ContractRenewed: 'The customer renewed; a churned customer is active again.',
  CustomerReactivated: 'A churned customer is back.',
  CustomerDataErased:
    "Recorded by the platform when an admin erased the customer's personal data (docs/erasure.md): its personal fields read null from then on; nothing else changes.",
};
