import { useEffect, useState } from 'preact/hooks';
import { adoptOidcTokens } from './oidc-tokens.ts';
import { endSession } from './session.ts';
import { oidcSettings } from './sign-in-settings.ts';

/**
 * Where the identity provider sends the browser back: the code is exchanged
 * for tokens, and the person lands on the page they wanted. A silent renewal
 * the provider turned down (its own session ended) ends on the sign-in page.
 */
export function CallbackPage() {
  const [failure, setFailure] = useState<string | null>(null);
  useEffect(() => {
    finish().catch((error: unknown) => setFailure(error instanceof Error ? error.message : String(error)));
  }, []);
  if (!failure) {
    return (
      <main class="sign-in" id="main">
        <p class="state state-loading" role="status" aria-live="polite">
          Signing you in …
        </p>
      </main>
    );
  }
  return (
    <main class="sign-in" id="main">
      <h1>crh — customer-relationship health</h1>
      <div class="state state-error" role="alert">
        <p>
          <strong>Sign-in did not complete.</strong> {failure}
        </p>
        <p>
          <a href="/">Start again</a>
        </p>
      </div>
    </main>
  );
}

async function finish(): Promise<void> {
  const settings = await oidcSettings();
  if (!settings) throw new Error('This platform has no identity provider set up for signing in.');
  const { finishSignIn, SignInFailed } = await import('./oidc-flow.ts');
  try {
    const { tokens, returnTo } = await finishSignIn(settings);
    // The address first: the signed-in page reads it when it renders.
    history.replaceState(null, '', returnTo);
    adoptOidcTokens(tokens);
  } catch (error) {
    if (error instanceof SignInFailed && error.signInAgain) {
      history.replaceState(null, '', error.returnTo);
      endSession('expired');
      return;
    }
    throw error;
  }
}
