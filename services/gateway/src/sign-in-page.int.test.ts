import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LiveGateway, openLiveGateway } from '../testing/live-gateway.ts';
import { GRAPHIQL_HEADERS_KEY, SESSION_TOKEN_KEY } from './sign-in-page.ts';

// Debian's chromium (apt-get install chromium); browsers are never downloaded.
const CHROMIUM = '/usr/bin/chromium';
if (!existsSync(CHROMIUM)) {
  console.warn(`[crh tests] skipped: the sign-in page in a browser (no ${CHROMIUM}; .ci/run installs it)`);
}

describe('the sign-in page at the gateway root', () => {
  let live: LiveGateway;
  let root: string;

  beforeAll(async () => {
    live = await openLiveGateway({ timeZone: 'Europe/Amsterdam' });
    root = live.gateway.url.replace(/\/graphql$/, '');
  });

  afterAll(async () => {
    await live?.close();
  });

  it('answers without a token, with a policy that lets exactly its own script and style run', async () => {
    const response = await fetch(`${root}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toMatch(/default-src 'none'/);
    expect(csp).toMatch(/frame-ancestors 'none'/);
    const html = await response.text();
    const hash = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;
    const script = /<script>([\s\S]*?)<\/script>/.exec(html)?.[1] ?? '';
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)?.[1] ?? '';
    expect(script).toContain('history.replaceState');
    expect(csp).toContain(`script-src ${hash(script)}`);
    expect(csp).toContain(`style-src ${hash(style)}`);
    // Nothing else at the root answers: a POST is Yoga's 404, and GraphQL still needs a token.
    expect((await fetch(`${root}/`, { method: 'POST' })).status).toBe(404);
    expect((await fetch(live.gateway.url, { method: 'POST', body: '{}' })).status).toBe(401);
  });

  it.skipIf(!existsSync(CHROMIUM))(
    'takes the token out of the address bar, keeps it for the tab and GraphiQL, and the stored header is accepted',
    async () => {
      const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
      try {
        const context = await browser.newContext();
        const page = await context.newPage();
        const violations: string[] = [];
        page.on('console', (message) => {
          if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
        });
        const token = await live.auth.token('lead', { sub: 'lena' });
        await page.goto(`${root}/#access_token=${token}`);
        await page.waitForFunction(() =>
          document.getElementById('status')?.textContent?.startsWith('Signed in'),
        );
        expect(await page.textContent('#status')).toMatch(/^Signed in as lena, until /);
        expect(page.url()).toBe(`${root}/`);
        expect(await page.evaluate(() => location.hash)).toBe('');
        expect(await page.evaluate((key) => sessionStorage.getItem(key), SESSION_TOKEN_KEY)).toBe(token);
        const headers = JSON.parse(
          (await page.evaluate((key) => localStorage.getItem(key), GRAPHIQL_HEADERS_KEY)) ?? '{}',
        ) as Record<string, string>;
        expect(headers).toEqual({ Authorization: `Bearer ${token}` });
        expect(violations).toEqual([]);

        // What a page of this origin sends with the stored headers (the sign-in page itself may connect
        // nowhere); GraphiQL, built and served by the gateway, does the same in graphiql-page.int.test.ts.
        const other = await context.newPage();
        await other.goto(`${root}/healthz`);
        const answer = await other.evaluate(
          async ({ url, key }) => {
            const stored = JSON.parse(localStorage.getItem(key) ?? '{}') as Record<string, string>;
            const response = await fetch(url, {
              method: 'POST',
              headers: { ...stored, 'content-type': 'application/json' },
              body: JSON.stringify({ query: '{ relationships(first: 1) { totalCount } }' }),
            });
            return { status: response.status, body: await response.json() };
          },
          { url: live.gateway.url, key: GRAPHIQL_HEADERS_KEY },
        );
        expect(answer).toEqual({ status: 200, body: { data: { relationships: { totalCount: 0 } } } });

        await other.close();

        // Back in the history or reloaded: no token anywhere in the address, still signed in for the tab.
        await page.reload();
        await page.waitForFunction(() => document.getElementById('status')?.textContent !== 'Signing in …');
        expect(await page.textContent('#status')).toBe('Signed in in this tab.');
      } finally {
        await browser.close();
      }
    },
  );
});
