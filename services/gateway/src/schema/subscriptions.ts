import type { SignalAlert, StatusChange } from '@crh/read-models/projection';
import { managerScope } from '../auth/book-scope.ts';
import { builder, READERS } from '../builder.ts';
import { transportCut } from '../live/transport-cut.ts';
import { badInput } from '../user-errors.ts';
import { DailyKpis } from './daily-kpis.ts';
import { RecordedEvent } from './recorded-event.ts';
import { RelationshipStatus } from './relationship.ts';

// Subscriptions are served over GraphQL-over-SSE and graphql-ws on /graphql.
// Each delivers only what the projector committed, in order per customer,
// and only what the caller may read: scoped like the queries (an account
// manager's subscriptions hold its own book as of today).

const StatusChangeCause = builder.enumType('StatusChangeCause', {
  description: 'EVENT: an event (or a late one) changed it; DAY: the day turned with no new event',
  values: ['EVENT', 'DAY'] as const,
});

const RelationshipStatusChange = builder.objectRef<StatusChange>('RelationshipStatusChange').implement({
  description: "A relationship's status as of today changed",
  fields: (t) => ({
    customerId: t.exposeID('customerId'),
    accountManagerId: t.exposeID('accountManagerId', { nullable: true }),
    from: t.field({
      type: RelationshipStatus,
      nullable: true,
      description: 'Null when the customer was not onboarded before',
      resolve: (c) => c.from,
    }),
    to: t.field({ type: RelationshipStatus, resolve: (c) => c.to }),
    at: t.field({
      type: 'DateTime',
      description: 'The start of the day for a day turn, else when the projector applied the event',
      resolve: (c) => c.at,
    }),
    day: t.field({ type: 'Date', description: 'The day the statuses are as of', resolve: (c) => c.day }),
    cause: t.field({ type: StatusChangeCause, resolve: (c) => (c.cause === 'day' ? 'DAY' : 'EVENT') }),
  }),
});

const DEADLINE_KINDS = [
  'PROMISE_OVERDUE',
  'COMPLAINT_ACKNOWLEDGE_OVERDUE',
  'COMPLAINT_UPDATE_OVERDUE',
  'COMPLAINT_RESOLVE_OVERDUE',
] as const satisfies readonly SignalAlert['kind'][];

const DeadlineKind = builder.enumType('DeadlineKind', { values: DEADLINE_KINDS });

const MissedDeadline = builder.objectRef<SignalAlert>('MissedDeadline').implement({
  description:
    'A promise or complaint deadline passed unmet (complaint targets from CRH_COMPLAINT_SLA); announced once per deadline',
  fields: (t) => ({
    kind: t.field({ type: DeadlineKind, resolve: (a) => a.kind }),
    customerId: t.exposeID('customerId'),
    subjectId: t.exposeID('subjectId', { description: 'The promiseId or complaintId' }),
    accountManagerId: t.exposeID('accountManagerId'),
    dueAt: t.field({ type: 'DateTime', resolve: (a) => a.dueAt }),
    at: t.field({ type: 'DateTime', description: 'When the miss was announced', resolve: (a) => a.at }),
  }),
});

// Like queries: every subscription needs a reading permission, checked when it is made.
builder.subscriptionType({ authScopes: READERS });

builder.subscriptionField('eventRecorded', (t) =>
  t.field({
    type: RecordedEvent,
    description:
      'Each event once it is in the read models; of one customer and/or of these types. An account manager receives the events of customers in its book as of today (of another customer: nothing)',
    args: {
      customerId: t.arg.id({ required: false }),
      types: t.arg.stringList({ required: false }),
    },
    subscribe: (_root, args, ctx) => {
      if (args.customerId === '') throw badInput('customerId must not be empty');
      return ctx.live.events(
        {
          customerId: args.customerId == null ? null : String(args.customerId),
          types: args.types ?? null,
          // A customer outside the book is not refused (that would tell it
          // exists): its events are simply not the caller's to receive.
          accountManagerId: managerScope(ctx, null),
        },
        transportCut(ctx),
      );
    },
    resolve: (event) => event,
  }),
);

builder.subscriptionField('relationshipStatusChanged', (t) =>
  t.field({
    type: RelationshipStatusChange,
    description: "Status changes as of today, of every relationship or one manager's",
    args: { accountManagerId: t.arg.id({ required: false }) },
    subscribe: (_root, args, ctx) =>
      ctx.live.statusChanges(managerScope(ctx, args.accountManagerId), transportCut(ctx)),
    resolve: (change) => change,
  }),
);

builder.subscriptionField('dailyKpisUpdated', (t) =>
  t.field({
    type: DailyKpis,
    description:
      "Today's KPIs of the organisation or one manager, each time they change (an event, a late event, the day turning). Query dailyKpis for the days before",
    args: { accountManagerId: t.arg.id({ required: false }) },
    subscribe: (_root, args, ctx) =>
      ctx.live.dailyKpis(managerScope(ctx, args.accountManagerId), transportCut(ctx)),
    resolve: (kpis) => kpis,
  }),
);

builder.subscriptionField('deadlineMissed', (t) =>
  t.field({
    type: MissedDeadline,
    description: 'Promises overdue and complaint service levels breached, as they happen',
    args: {
      accountManagerId: t.arg.id({ required: false }),
      kinds: t.arg({ type: [DeadlineKind], required: false }),
    },
    subscribe: (_root, args, ctx) =>
      ctx.live.alerts(
        {
          accountManagerId: managerScope(ctx, args.accountManagerId),
          kinds: args.kinds ?? null,
        },
        transportCut(ctx),
      ),
    resolve: (alert) => alert,
  }),
);
