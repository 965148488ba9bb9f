import { formatTime } from '../day.ts';
import type { Session } from './session.ts';

/** Signed out, refused or expired: what happened and what to do, never a blank page. */
export function SignInPage({ session }: { session: Extract<Session, { state: 'signed-out' }> }) {
  const why =
    session.reason === 'expired'
      ? `Your sign-in ran out${session.expiredAt ? ` at ${formatTime(session.expiredAt.toISOString())}` : ''}.`
      : session.reason === 'refused'
        ? 'The platform did not accept your sign-in (it may have expired, or been made with another key).'
        : 'You are not signed in.';
  return (
    <main class="sign-in" id="main">
      <h1>crh — customer-relationship health</h1>
      <p class="sign-in-why">{why}</p>
      <p>
        Open the sign-in link you were given. <code>npm start</code> prints one per person; it looks like{' '}
        <code>{`${location.origin}/#access_token=…`}</code>. Or ask your administrator for a new one (
        <code>npm run crh -- token --role account-manager --manager am-1</code>).
      </p>
      <p>
        Developers can also use <a href="/graphql">GraphiQL</a> once signed in.
      </p>
    </main>
  );
}
