import { createTokenVerifier } from '@crh/auth';
import { addDays } from '@crh/domain';
import getPort from 'get-port';
import { temporaryLocalAuth } from '../platform/local-auth.ts';
import { spawnServices, stopServices, waitForHttp } from '../platform/service-processes.ts';
import { PAGE } from './bench-queries.ts';
import { type BookOptions, createRandom } from './book-generator.ts';
import { type Latency, latencyOf } from './latency.ts';

export interface AccessFigures {
  /** The same page, one gateway with access control on (a token verified per request), one with it off. */
  on: Latency;
  off: Latency;
  /** Token verification alone, in this process. */
  verify: Latency;
  /**
   * p50 and p95 of `on` less those of `off`, and the median of the paired
   * differences (each page asked of both, one after the other), ms: the
   * steadiest of the three on a busy machine.
   */
  added: { p50: number; p95: number; pairedMedian: number };
}

/**
 * What access control costs a query: two gateway processes over the same
 * book, one with CRH_AUTH=on, one with CRH_AUTH=off, asked the same
 * `relationships` page (50 rows, the whole book, a random day) by turns, so
 * that the machine's drift falls on both alike. The token is a lead's
 * (every book), verified on every request; the rate limit, where the
 * gateway counts one, is set high enough never to refuse.
 */
export async function benchAccess(
  bookUrl: string,
  book: BookOptions,
  samples: number,
  log: (line: string) => void,
): Promise<AccessFigures> {
  const auth = await temporaryLocalAuth();
  const [onPort, offPort] = [await getPort(), await getPort()];
  const base = {
    ...process.env,
    DATABASE_URL: bookUrl,
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    CHANGE_FEED: 'postgres',
    CRH_RATE_LIMIT: '1000000/min',
    ...auth.env,
  };
  const children = [
    ...spawnServices(['gateway'], { ...base, GATEWAY_PORT: String(onPort), CRH_AUTH: 'on' }),
    ...spawnServices(['gateway'], { ...base, GATEWAY_PORT: String(offPort), CRH_AUTH: 'off' }, 'ignore'),
  ];
  try {
    await Promise.all([onPort, offPort].map((port) => waitForHttp(`http://127.0.0.1:${port}/readyz`)));
    const authorization = await auth.bearer(['lead'], { sub: 'crh-bench', ttl: '12h' });
    const ask = async (port: number, variables: object, withToken: boolean) => {
      const started = performance.now();
      const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(withToken ? { authorization } : {}) },
        body: JSON.stringify({ query: PAGE, variables }),
      });
      const body = (await response.json()) as { data?: unknown; errors?: unknown };
      const ms = performance.now() - started;
      if (!response.ok || body.errors || !body.data) {
        throw new Error(`the page failed (${response.status}): ${JSON.stringify(body.errors)}`);
      }
      return ms;
    };

    log(`access control: the relationships page ${samples} times on each gateway, by turns ...`);
    const random = createRandom(book.seed + 3);
    const first = addDays(book.endDate, -book.days);
    const on: number[] = [];
    const off: number[] = [];
    for (let i = 0; i < samples + 20; i++) {
      const variables = { day: addDays(first, Math.floor(random() * (book.days + 30))) };
      // Each asks first every other time: neither gets the other's warm cache for free.
      const onFirst = i % 2 === 0;
      const a = onFirst ? await ask(onPort, variables, true) : await ask(offPort, variables, false);
      const b = onFirst ? await ask(offPort, variables, false) : await ask(onPort, variables, true);
      if (i < 20) continue; // warm-up
      on.push(onFirst ? a : b);
      off.push(onFirst ? b : a);
    }
    // Without a token the protected gateway refuses: the figures above did pass the check.
    const refused = await fetch(`http://127.0.0.1:${onPort}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: PAGE, variables: { day: book.endDate } }),
    });
    if (refused.status !== 401)
      throw new Error(`the gateway with access control on answered ${refused.status}`);

    const verifier = await createTokenVerifier(auth.settings);
    const verifications: number[] = [];
    for (let i = 0; i < 2_000; i++) {
      const started = performance.now();
      await verifier.verify(authorization);
      if (i >= 200) verifications.push(performance.now() - started);
    }
    const figures = {
      on: latencyOf('relationships page of 50, access control on (lead token)', on),
      off: latencyOf('relationships page of 50, access control off', off),
      verify: latencyOf('token verification alone (ES256, in process)', verifications),
    };
    const round = (n: number) => Math.round(n * 100) / 100;
    const differences = on.map((ms, i) => ms - off[i]!).sort((a, b) => a - b);
    return {
      ...figures,
      added: {
        p50: round(figures.on.p50 - figures.off.p50),
        p95: round(figures.on.p95 - figures.off.p95),
        pairedMedian: round(differences[Math.floor(differences.length / 2)]!),
      },
    };
  } finally {
    await stopServices(children);
    await auth.remove();
  }
}
