import { ACTIVE_STATUSES, CONTACT_EVENT_TYPES, isPastDeadline, npsBucket, RETENTION_DAYS } from '@crh/domain';
import { describe, expect, it } from 'vitest';
import { READ_MODEL_VERSION } from './read-model-fingerprint.ts';

// The stored rows were derived with these domain rules (bucket counts,
// activity levels, retention levels, kept on time, last contacts). Rows
// derived with other rules are stale, and only a new READ_MODEL_VERSION
// makes the projector derive them again: so each version pins the rules it
// was built with, and changing a rule without a new version fails here.
const storedRules = () => ({
  npsBuckets: Array.from({ length: 11 }, (_, score) => npsBucket(score)),
  activeStatuses: ACTIVE_STATUSES,
  retentionDays: RETENTION_DAYS,
  keptAtItsDueTimeIsOnTime: !isPastDeadline('2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z'),
  contactEventTypes: CONTACT_EVENT_TYPES,
});

const VERSION_3: ReturnType<typeof storedRules> = {
  npsBuckets: [
    ...Array<'detractor'>(7).fill('detractor'),
    ...Array<'passive'>(2).fill('passive'),
    ...Array<'promoter'>(2).fill('promoter'),
  ],
  activeStatuses: ['ACTIVE', 'GOING_QUIET', 'NEGLECTED'],
  retentionDays: 90,
  keptAtItsDueTimeIsOnTime: true,
  contactEventTypes: [
    'ContactLogged',
    'ComplaintReceived',
    'ComplaintAcknowledged',
    'ComplaintUpdateSent',
    'ComplaintResolved',
    'ComplimentReceived',
    'DelightMomentRecorded',
  ],
};

const RULES_OF_VERSION: Record<number, ReturnType<typeof storedRules>> = {
  3: VERSION_3,
  // The same rules; delight moments are now also kept per account manager (migration 005).
  4: VERSION_3,
  // The same rules; each NPS answer also keeps the previous answer's score and the next one's day (migration 008).
  5: VERSION_3,
};

describe('rules of the stored read models', () => {
  it(`are the rules READ_MODEL_VERSION ${READ_MODEL_VERSION} was built with (a rule change needs a new version)`, () => {
    expect(storedRules()).toEqual(RULES_OF_VERSION[READ_MODEL_VERSION]);
  });
});
