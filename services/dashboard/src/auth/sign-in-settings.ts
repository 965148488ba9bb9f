/**
 * How this gateway signs people in, asked before anyone is: with the
 * organisation's identity provider (OpenID Connect) when it has one set up
 * (CRH_OIDC_*), else with sign-in links only. Public: a browser client has no
 * secret to keep.
 */
export interface OidcSettings {
  issuer: string;
  clientId: string;
  scope: string;
}

/** Where the gateway answers with `{ oidc: OidcSettings | null }`, without a token. */
export const SIGN_IN_SETTINGS_PATH = '/auth/settings.json';
/** Where the identity provider sends the browser back (the client's redirect URI there). */
export const CALLBACK_PATH = '/auth/callback';

let loaded: Promise<OidcSettings | null> | undefined;

/** Asked once per page load; a failed request is asked again next time. */
export function oidcSettings(): Promise<OidcSettings | null> {
  loaded ??= fetch(SIGN_IN_SETTINGS_PATH, { headers: { accept: 'application/json' } })
    .then((response) => {
      if (!response.ok)
        throw new Error(`the gateway answered ${response.status} to ${SIGN_IN_SETTINGS_PATH}`);
      return response.json() as Promise<{ oidc?: OidcSettings | null }>;
    })
    .then((body) => body.oidc ?? null);
  loaded.catch(() => {
    loaded = undefined;
  });
  return loaded;
}
