import { type ManagerBook as ManagerBookShape, managerBooks } from '@crh/read-models/queries';
import { managerScope } from '../auth/book-scope.ts';
import { builder } from '../builder.ts';
import { asOfInstant, todayOf } from '../request-day.ts';
import { badInput } from '../user-errors.ts';

const ManagerBook = builder.objectRef<ManagerBookShape>('ManagerBook').implement({
  description: "One account manager's book at the end of a day, to set managers side by side",
  fields: (t) => ({
    accountManagerId: t.exposeID('accountManagerId'),
    activeRelationships: t.exposeInt('activeRelationships', {
      description: 'Onboarded and not CHURNED, each counted for its manager of the day',
    }),
    neglected: t.exposeInt('neglected'),
    neglectedShare: t.float({
      description: 'NEGLECTED / active relationships (0-1)',
      resolve: (b) => b.neglected / b.activeRelationships,
    }),
    overduePromises: t.exposeInt('overduePromises', {
      description: 'Promises overdue at the end of the day (by now, for today)',
    }),
  }),
});

builder.queryField('accountManagers', (t) =>
  t.field({
    type: [ManagerBook],
    description:
      'Each account manager with active relationships on the day, by id; an account manager gets its own book only',
    args: { date: t.arg({ type: 'Date', required: false, description: 'Default today' }) },
    resolve: async (_root, args, ctx) => {
      const day = args.date ?? todayOf(ctx);
      if (day > todayOf(ctx)) throw badInput('date must not be after today');
      const manager = managerScope(ctx, null);
      const books = await managerBooks(ctx.db, day, asOfInstant(ctx, day));
      return manager === null ? books : books.filter((b) => b.accountManagerId === manager);
    },
  }),
);
