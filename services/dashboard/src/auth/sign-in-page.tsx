import { useEffect, useState } from 'preact/hooks';
import { formatTime } from '../day.ts';
import type { Session } from './session.ts';
import { type OidcSettings, oidcSettings } from './sign-in-settings.ts';

/** Signed out, refused or expired: what happened and what to do, never a blank page. */
export function SignInPage({ session }: { session: Extract<Session, { state: 'signed-out' }> }) {
  // undefined while the gateway is asked how it signs people in.
  const [oidc, setOidc] = useState<OidcSettings | null | undefined>(undefined);
  useEffect(() => {
    oidcSettings().then(setOidc, () => setOidc(null));
  }, []);
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
      {oidc ? <WithProvider settings={oidc} /> : oidc === null ? <WithLink /> : null}
      <p>
        Developers can also use <a href="/graphql">GraphiQL</a> once signed in.
      </p>
    </main>
  );
}

function WithProvider({ settings }: { settings: OidcSettings }) {
  const [state, setState] = useState<{ busy: boolean; failure?: string }>({ busy: false });
  const start = async () => {
    setState({ busy: true });
    try {
      const { beginSignIn } = await import('./oidc-flow.ts');
      // Back to this very page (a relationship, the team board) once signed in.
      await beginSignIn(settings, location.pathname + location.search + location.hash);
    } catch (error) {
      setState({ busy: false, failure: error instanceof Error ? error.message : String(error) });
    }
  };
  return (
    <>
      <p>Sign in with the account your organisation gave you; you come back to this page.</p>
      <p>
        <button type="button" class="primary" disabled={state.busy} onClick={() => void start()}>
          Sign in with your organisation
        </button>
      </p>
      {state.failure && (
        <p class="state state-error" role="alert">
          The sign-in service could not be reached ({state.failure}). Check your connection and try again; if
          it stays, tell your administrator.
        </p>
      )}
    </>
  );
}

function WithLink() {
  return (
    <p>
      Open the sign-in link you were given. <code>npm start</code> prints one per person; it looks like{' '}
      <code>{`${location.origin}/#access_token=…`}</code>. Or ask your administrator for a new one (
      <code>npm run crh -- token --role account-manager --manager am-1</code>).
    </p>
  );
}
