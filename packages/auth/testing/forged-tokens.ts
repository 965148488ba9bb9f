import { createHmac } from 'node:crypto';
import { generateKeyPair, importJWK, type JWTPayload, SignJWT } from 'jose';
import { readLocalKey } from '../src/local-key.ts';
import type { TestAuth } from './test-auth.ts';

/** An Authorization header every service must refuse with 401, and why the verifier refuses it. */
export interface ForgedToken {
  name: string;
  /** The whole header value: `Bearer <jwt>`, or something that is not one. */
  authorization: string;
  /** Matches the verifier's AuthError reason for this header. */
  reason: RegExp;
}

/**
 * The Authorization headers an attacker (or a broken client) sends: each an
 * admin token like the ones `auth` mints, with one thing wrong. Every
 * service is tested against this one list, so a new way to forge a token is
 * added here once. Tokens that are otherwise valid stay valid for a day and
 * the not-yet-valid one starts in an hour, so a slow run does not turn a
 * refusal into an acceptance.
 */
export async function forgedTokens(auth: TestAuth): Promise<ForgedToken[]> {
  const { settings } = auth;
  // createTokenVerifier made the local key when openTestAuth ran.
  const key = await readLocalKey(settings.localKeyDir);
  if (!key) throw new Error(`no local key in ${settings.localKeyDir}: forged tokens imitate its tokens`);
  const ourKey = await importJWK(key.privateJwk, 'ES256');
  const { privateKey: otherKey } = await generateKeyPair('ES256');
  const now = Math.floor(Date.now() / 1000);
  const leeway = settings.clockToleranceSeconds;
  const claims = (): JWTPayload => ({
    sub: 'mallory',
    [settings.rolesClaim]: ['admin'],
    iss: settings.issuer,
    aud: settings.audience,
    iat: now,
    exp: now + 86_400,
  });

  /** An ES256 admin token signed like the platform's own, with one thing changed. */
  const forged = async (
    change: { key?: CryptoKey; kid?: string; claims?: Record<string, unknown> } = {},
  ): Promise<string> => {
    // A claim set to undefined is left out (the "no sub" token).
    const payload: Record<string, unknown> = { ...claims(), ...change.claims };
    for (const [name, value] of Object.entries(payload)) if (value === undefined) delete payload[name];
    const jwt = await new SignJWT(payload)
      .setProtectedHeader({ alg: 'ES256', kid: change.kid ?? key.privateJwk.kid, typ: 'JWT' })
      .sign(change.key ?? ourKey);
    return `Bearer ${jwt}`;
  };
  const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  // HS256 with the public key as the HMAC secret: a verifier that takes the
  // token's alg at its word would check it against the key it publishes.
  const hs256 = () => {
    const head = `${base64url({ alg: 'HS256', kid: key.privateJwk.kid, typ: 'JWT' })}.${base64url(claims())}`;
    const mac = createHmac('sha256', JSON.stringify(key.publicJwks.keys[0])).update(head).digest('base64url');
    return `Bearer ${head}.${mac}`;
  };

  return [
    {
      name: 'expired beyond the leeway',
      authorization: await forged({ claims: { exp: now - leeway - 60 } }),
      reason: /^token expired$/,
    },
    {
      name: 'not yet valid (nbf) beyond the leeway',
      authorization: await forged({ claims: { nbf: now + leeway + 3600 } }),
      reason: /^token not yet valid$/,
    },
    {
      name: 'a wrong issuer',
      authorization: await forged({ claims: { iss: 'https://evil.example.org' } }),
      reason: /^token claim iss is not accepted$/,
    },
    {
      name: 'a wrong audience',
      authorization: await forged({ claims: { aud: 'another-service' } }),
      reason: /^token claim aud is not accepted$/,
    },
    {
      name: 'signed by another key under our kid',
      authorization: await forged({ key: otherKey }),
      reason: /^token signature invalid$/,
    },
    {
      name: 'an unknown kid',
      authorization: await forged({ key: otherKey, kid: 'unknown-kid' }),
      reason: /^token signed with an unknown key$/,
    },
    {
      name: 'alg none',
      authorization: `Bearer ${base64url({ alg: 'none', typ: 'JWT' })}.${base64url(claims())}.`,
      reason: /^token algorithm not accepted$/,
    },
    {
      name: 'HS256 signed with the public key',
      authorization: hs256(),
      reason: /^token algorithm not accepted$/,
    },
    {
      name: 'no sub',
      authorization: await forged({ claims: { sub: undefined } }),
      reason: /^token claim sub is not accepted$/,
    },
    {
      name: 'a bearer that is not a JWT',
      authorization: 'Bearer hello',
      reason: /^the Authorization header is not "Bearer <jwt>"$/,
    },
    {
      name: 'three segments that are not a JWT',
      authorization: 'Bearer not.a.jwt',
      reason: /^token invalid \(ERR_JWS_INVALID\)$/,
    },
    {
      name: 'a Basic header',
      authorization: 'Basic YWRtaW46YWRtaW4=',
      reason: /^the Authorization header is not "Bearer <jwt>"$/,
    },
  ];
}
