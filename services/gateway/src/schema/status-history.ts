import type { LocalDate, RelationshipStatus as Status } from '@crh/domain';
import { builder } from '../builder.ts';
import { badInput } from '../user-errors.ts';
import { Relationship, RelationshipStatus } from './relationship.ts';

interface StatusPeriodShape {
  status: Status;
  from: LocalDate;
  to: LocalDate | null;
}

const StatusPeriod = builder.objectRef<StatusPeriodShape>('StatusPeriod').implement({
  description: 'Days [from, to) in which the relationship had one status',
  fields: (t) => ({
    status: t.field({ type: RelationshipStatus, resolve: (p) => p.status }),
    from: t.field({ type: 'Date', resolve: (p) => p.from }),
    to: t.field({
      type: 'Date',
      nullable: true,
      description: 'Exclusive; null while it lasts',
      resolve: (p) => p.to,
    }),
  }),
});

builder.objectField(Relationship, 'statusHistory', (t) =>
  t.field({
    type: [StatusPeriod],
    description:
      'The periods of each status overlapping [from, to] (default: the whole history), oldest first, as the events known now give them',
    args: {
      from: t.arg({ type: 'Date', required: false }),
      to: t.arg({ type: 'Date', required: false }),
    },
    resolve: async (r, args, ctx) => {
      if (args.from && args.to && args.from > args.to) throw badInput('from must not be after to');
      // Batched: every relationship of a list in one query (loaders/request-loaders.ts).
      const intervals = await ctx.loaders.statusHistory.load({
        customerId: r.customerId,
        args: { from: args.from ?? null, to: args.to ?? null },
      });
      // Intervals also split where other facts change; a period is a run of one status.
      const periods: StatusPeriodShape[] = [];
      for (const { status, from, to } of intervals) {
        const last = periods.at(-1);
        if (last && last.status === status && last.to === from) last.to = to;
        else periods.push({ status, from, to });
      }
      return periods;
    },
  }),
);
