import type { NpsAnswerRow } from '@crh/read-models/queries';
import { builder } from '../builder.ts';
import { badInput } from '../user-errors.ts';
import { Relationship } from './relationship.ts';

const NpsAnswer = builder.objectRef<NpsAnswerRow>('NpsAnswer').implement({
  description: "One of the customer's answers to the NPS question (0-10)",
  fields: (t) => ({
    at: t.field({ type: 'DateTime', resolve: (a) => a.at }),
    date: t.field({
      type: 'Date',
      description: 'The day it is dated in the organisation',
      resolve: (a) => a.day,
    }),
    score: t.exposeInt('score'),
    touchpoint: t.exposeString('touchpoint', { nullable: true }),
  }),
});

builder.objectField(Relationship, 'npsAnswers', (t) =>
  t.field({
    type: [NpsAnswer],
    description: 'Answers dated from..to (default: all, up to the relationship’s asOf), oldest first',
    args: {
      from: t.arg({ type: 'Date', required: false }),
      to: t.arg({ type: 'Date', required: false }),
    },
    resolve: (r, args, ctx) => {
      if (args.from && args.to && args.from > args.to) throw badInput('from must not be after to');
      // An answer after the day the relationship is as of is not known on that day.
      const to = args.to && args.to < r.day ? args.to : r.day;
      return ctx.loaders.npsAnswers.load({ customerId: r.customerId, args: { from: args.from ?? null, to } });
    },
  }),
);
