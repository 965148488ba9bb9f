import { type Configuration, errors } from 'oidc-provider';

/** The resource (RFC 8707) the platform's access tokens are issued for in the tests' identity providers. */
export const CRH_RESOURCE = 'urn:crh';

type ResourceIndicators = NonNullable<NonNullable<Configuration['features']>['resourceIndicators']>;

/**
 * oidc-provider's resource indicators as the platform needs them: JWT access
 * tokens for the audience `crh` (CRH_AUTH_AUDIENCE's default), signed with
 * the given key, with scope `crh`; any other resource is refused.
 */
export function crhResourceIndicators(
  sign: { alg: 'ES256' | 'RS256'; kid: string },
  accessTokenTTL: number,
): ResourceIndicators {
  return {
    enabled: true,
    defaultResource: () => CRH_RESOURCE,
    useGrantedResource: () => true,
    getResourceServerInfo: (_ctx, resource) => {
      if (resource !== CRH_RESOURCE) throw new errors.InvalidTarget();
      return {
        scope: 'crh',
        audience: 'crh',
        accessTokenFormat: 'jwt',
        accessTokenTTL,
        jwt: { sign: { alg: sign.alg, kid: sign.kid } },
      };
    },
  };
}
