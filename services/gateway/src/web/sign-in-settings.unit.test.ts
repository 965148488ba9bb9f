import { ConfigError, loadConfig } from '@crh/config';
import { describe, expect, it } from 'vitest';
import { oidcConnectSources, oidcSignInFrom } from './sign-in-settings.ts';

const JWKS = 'https://idp.example.org/realms/acme/protocol/openid-connect/certs';
const settings = (vars: Record<string, string>) => oidcSignInFrom(loadConfig(vars).env);

describe('the dashboard sign-in settings (CRH_OIDC_*)', () => {
  it('are off unless set, and carry the issuer, client id and scope (default openid profile) when set', () => {
    expect(settings({})).toBeUndefined();
    const oidc = settings({
      CRH_AUTH_JWKS_URL: JWKS,
      CRH_OIDC_ISSUER: 'https://idp.example.org/realms/acme',
      CRH_OIDC_CLIENT_ID: 'crh-dashboard',
    });
    expect(oidc).toEqual({
      issuer: 'https://idp.example.org/realms/acme',
      clientId: 'crh-dashboard',
      scope: 'openid profile',
    });
    expect(oidcConnectSources(oidc)).toEqual(['https://idp.example.org']);
    expect(oidcConnectSources(undefined)).toEqual([]);
  });

  it('stop the gateway when half set: issuer or client id alone, or without the key set to verify with', () => {
    const issuer = { CRH_OIDC_ISSUER: 'https://idp.example.org/realms/acme' };
    expect(() => settings({ CRH_AUTH_JWKS_URL: JWKS, ...issuer })).toThrow(/CRH_OIDC_CLIENT_ID: required/);
    expect(() => settings({ CRH_AUTH_JWKS_URL: JWKS, CRH_OIDC_CLIENT_ID: 'x' })).toThrow(
      /CRH_OIDC_ISSUER: required/,
    );
    expect(() => settings({ ...issuer, CRH_OIDC_CLIENT_ID: 'x' })).toThrow(ConfigError);
    expect(() => settings({ ...issuer, CRH_OIDC_CLIENT_ID: 'x' })).toThrow(/CRH_AUTH_JWKS_URL: required/);
  });

  it('take an issuer over https, or over http on this machine only', () => {
    expect(() => loadConfig({ CRH_OIDC_ISSUER: 'http://idp.example.org' })).toThrow(/must be an https URL/);
    for (const local of ['http://localhost:8080/realms/x', 'http://127.0.0.1:9000', 'http://[::1]:9000']) {
      expect(loadConfig({ CRH_OIDC_ISSUER: local }).env.CRH_OIDC_ISSUER).toBe(local);
    }
  });
});
