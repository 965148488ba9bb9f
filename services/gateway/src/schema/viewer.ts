import { bookOf, can } from '@crh/auth';
import { builder } from '../builder.ts';

interface ViewerShape {
  subject: string;
  roles: string[];
  accountManagerId: string | null;
  readsEveryBook: boolean;
  mayAct: boolean;
}

/**
 * The caller as the gateway sees its token: a page shows who is signed in
 * and which view fits without decoding the token itself (its claims'
 * names are the identity provider's, CRH_AUTH_*_CLAIM).
 */
const Viewer = builder.objectRef<ViewerShape>('Viewer').implement({
  description: 'Who is asking, as the gateway reads the token',
  fields: (t) => ({
    subject: t.exposeID('subject', { description: "The token's sub" }),
    roles: t.exposeStringList('roles', {
      description: 'The roles the platform knows, of those the token carries',
    }),
    accountManagerId: t.exposeID('accountManagerId', {
      nullable: true,
      description: 'Set for an account manager: its book is the relationships it manages',
    }),
    readsEveryBook: t.exposeBoolean('readsEveryBook', {
      description: "May read every book and the organisation's KPIs (lead, analyst, admin)",
    }),
    mayAct: t.exposeBoolean('mayAct', {
      description: 'May record contacts and promises (in its book, or any)',
    }),
  }),
});

builder.queryField('viewer', (t) =>
  t.field({
    type: Viewer,
    resolve: (_root, _args, { principal }) => {
      const book = bookOf(principal);
      return {
        subject: principal.sub,
        roles: [...principal.roles].sort(),
        // The manager claim defaults to sub: only a book makes it a manager id.
        accountManagerId: book.kind === 'manager' ? book.managerId : null,
        readsEveryBook: book.kind === 'all',
        mayAct: can(principal, 'act:own-book') || can(principal, 'act:any'),
      };
    },
  }),
);
