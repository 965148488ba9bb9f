import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LiveGateway, openLiveGateway } from '../../testing/live-gateway.ts';
import { defaultGraphiQLDir } from '../app.ts';
import { graphiqlCsp, NONCE_PLACEHOLDER } from './graphiql-page.ts';

// Debian's chromium (apt-get install chromium); browsers are never downloaded.
const CHROMIUM = '/usr/bin/chromium';
if (!existsSync(CHROMIUM)) {
  console.warn(`[crh tests] skipped: GraphiQL in a browser (no ${CHROMIUM}; .ci/run installs it)`);
}
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');

type CodeMirror = { CodeMirror: { setValue(text: string): void; getValue(): string } };

/** The editor (CodeMirror 5) GraphiQL shows under `selector`, read and filled through CodeMirror's own API. */
const editor = (page: Page, selector: string) => ({
  set: (text: string) =>
    page.evaluate(
      ([s, t]) =>
        (document.querySelector(`${s} .CodeMirror`) as unknown as CodeMirror).CodeMirror.setValue(t!),
      [selector, text],
    ),
  text: () =>
    page.evaluate(
      (s) => (document.querySelector(`${s} .CodeMirror`) as unknown as CodeMirror).CodeMirror.getValue(),
      selector,
    ),
});

describe('GraphiQL, served by the gateway from its own build', () => {
  let live: LiveGateway;
  let origin: string;

  beforeAll(async () => {
    // As `npm test` and `npm start` do before anything runs (a no-op when the build is fresh).
    const build = spawnSync('node', ['scripts/build-web.mjs', '@crh/graphiql'], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(build.status, build.stderr).toBe(0);
    live = await openLiveGateway();
    origin = new URL(live.gateway.url).origin;
  });

  afterAll(async () => {
    await live?.close();
  });

  it('answers browsers on /graphql with the built page and a policy that lets only this origin in', async () => {
    const response = await fetch(live.gateway.url, { headers: { accept: 'text/html' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-store');
    const csp = response.headers.get('content-security-policy') ?? '';
    const nonce = /'nonce-([\w+/=]+)'/.exec(csp)?.[1] ?? '';
    expect(nonce).toHaveLength(24);
    expect(csp).toBe(graphiqlCsp(nonce));
    for (const directive of [
      "default-src 'none'",
      "script-src 'self';",
      `style-src 'self' 'nonce-${nonce}';`,
      "connect-src 'self'",
      "frame-ancestors 'none'",
      "base-uri 'none'",
      "form-action 'none'",
    ]) {
      expect(csp).toContain(directive);
    }
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|https?:|\*/);
    const html = await response.text();
    expect(html).toContain('<title>crh — customer-relationship health</title>');
    // This response's nonce where the build left its placeholder, and a new one on the next response.
    expect(html).not.toContain(NONCE_PLACEHOLDER);
    expect(html).toContain(`<meta property="csp-nonce" nonce="${nonce}"`);
    const again = await fetch(live.gateway.url, { headers: { accept: 'text/html' } });
    expect(again.headers.get('content-security-policy')).not.toContain(nonce);
    // No inline script (the policy would refuse it) and nothing from another host.
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
    const script = /<script type="module" crossorigin src="(\/graphiql\/assets\/index-[\w-]+\.js)"/.exec(
      html,
    )?.[1];
    expect(script).toBeDefined();

    // Hashed assets: kept a year, gzipped for whoever accepts it.
    const asset = await fetch(`${origin}${script}`, { headers: { 'accept-encoding': 'gzip' } });
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toBe('text/javascript');
    expect(asset.headers.get('cache-control')).toBe('public,max-age=31536000,immutable');
    expect(asset.headers.get('content-encoding')).toBe('gzip');
    expect((await asset.text()).length).toBeGreaterThan(100_000);
    expect((await fetch(`${origin}/graphiql/assets/nothing-here.js`)).status).toBe(404);
    // Only the assets are files: the page itself is /graphql's, with its policy.
    expect((await fetch(`${origin}/graphiql/index.html`)).status).not.toBe(200);
    // GraphQL itself still needs a token.
    expect((await fetch(live.gateway.url, { method: 'POST', body: '{}' })).status).toBe(401);
  });

  it('without a build, says how to make one (and loads nothing from elsewhere)', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'crh-graphiql-'));
    const unbuilt = await openLiveGateway({ graphiqlDir: empty });
    try {
      const response = await fetch(unbuilt.gateway.url, { headers: { accept: 'text/html' } });
      expect(response.status).toBe(503);
      expect(response.headers.get('content-security-policy')).toMatch(
        /^default-src 'none'; script-src 'self'; /,
      );
      const html = await response.text();
      expect(html).toContain('npm run build -w @crh/graphiql');
      expect(html).toContain(empty);
      expect(html).not.toMatch(/<script|https?:\/\//);
    } finally {
      await unbuilt.close();
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('is the default build, and that build names no other host', () => {
    expect(defaultGraphiQLDir()).toBe(join(root, 'services/graphiql/dist'));
    const assets = join(root, 'services/graphiql/dist/assets');
    const css = readdirSync(assets).filter((name) => name.endsWith('.css'));
    // The stylesheet's fonts are inside it (data: URLs): no font is fetched from anywhere.
    for (const name of css)
      expect(readFileSync(join(assets, name), 'utf8')).not.toMatch(/url\(["']?(https?:)?\/\//);
  });

  it.skipIf(!existsSync(CHROMIUM))(
    'signed in at /, runs a query and a subscription in a browser that reaches no other host',
    async () => {
      const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
      try {
        const context = await browser.newContext();
        const elsewhere: string[] = [];
        // Anything not the gateway's is refused, and noted: the page must need none of it.
        await context.route(
          (url) => url.origin !== origin,
          (route) => {
            elsewhere.push(route.request().url());
            return route.abort('blockedbyclient');
          },
        );
        // Every refusal of the policy, as the page sees it (an init script is not the page's: no policy applies).
        await context.addInitScript(() => {
          const seen: string[] = [];
          Object.assign(window, { cspViolations: seen });
          document.addEventListener('securitypolicyviolation', (e) =>
            seen.push(`${e.effectiveDirective} ${e.blockedURI}`),
          );
        });
        const violations = () =>
          page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations);
        // Signed in at / by the dashboard, in a tab of its own (closed before GraphiQL opens, so
        // its live subscriptions are not counted as GraphiQL's); the stored token is the context's.
        const token = await live.auth.token('admin', { sub: 'ada' });
        // The projector runs from the start, as deployed: one started just before the append below
        // builds the read models first and announces nothing up to the head it found (by design),
        // so the event could count as backlog and never reach the subscription.
        live.runProjector();
        const dashboard = await context.newPage();
        await dashboard.goto(`${origin}/#access_token=${token}`);
        await dashboard.getByRole('link', { name: 'GraphiQL' }).waitFor();
        expect(dashboard.url()).toBe(`${origin}/`);
        await dashboard.close();
        await expect.poll(() => live.gateway.live.subscriptions(), { timeout: 10_000 }).toBe(0);
        const page = await context.newPage();
        const problems: string[] = [];
        page.on('console', (message) => {
          if (message.type() === 'error' || /Content Security Policy/i.test(message.text())) {
            problems.push(message.text());
          }
        });
        page.on('pageerror', (error) => problems.push(error.message));
        const sockets: string[] = [];
        page.on('websocket', (socket) => sockets.push(socket.url()));

        await page.goto(`${origin}/graphql`);

        // Rendered: the editors are there and nothing is left loading.
        await page.waitForSelector('.graphiql-query-editor .CodeMirror');
        expect(await page.title()).toBe('crh — customer-relationship health');
        expect(await page.textContent('body')).not.toMatch(/Loading/);
        // The headers tab holds what the sign-in page stored.
        await page.getByRole('button', { name: /headers/i }).click();
        expect(await editor(page, '.graphiql-editor-tool .graphiql-editor:not(.hidden)').text()).toContain(
          `Bearer ${token}`,
        );

        const query = editor(page, '.graphiql-query-editor');
        const response = editor(page, '.graphiql-response');
        await query.set('{ relationships(first: 1) { totalCount } }');
        await page.click('.graphiql-execute-button');
        await page.waitForFunction(() =>
          document.querySelector('.graphiql-response')?.textContent?.includes('totalCount'),
        );
        expect(JSON.parse(await response.text())).toEqual({
          data: { relationships: { totalCount: 0 } },
        });

        // A subscription goes over graphql-ws on the same origin, the token in connection_init.
        const customerId = `gq-${randomUUID()}`;
        await query.set(`subscription { eventRecorded(customerId: "${customerId}") { type customerId } }`);
        await page.click('.graphiql-execute-button');
        await live.subscriptions(1);
        // The running projector announces what it commits (the feed the gateway listens on).
        await live.record([
          {
            id: randomUUID(),
            type: 'CustomerOnboarded',
            customerId,
            occurredAt: new Date().toISOString(),
            data: { name: 'Grace', accountManagerId: 'am-1' },
          },
        ]);
        await page.waitForFunction(
          (id) => document.querySelector('.graphiql-response')?.textContent?.includes(id),
          customerId,
        );
        expect(await response.text()).toContain('CustomerOnboarded');
        expect(sockets).toEqual([`${origin.replace(/^http/, 'ws')}/graphql`]);

        // GraphiQL's dialogs (Radix) render in portals: opening one writes no inline style either.
        await page.getByRole('button', { name: /settings/i }).click();
        await page.getByRole('dialog').waitFor();
        await page.keyboard.press('Escape');

        // No console error: the schema's introspection too went with the stored token (no 401).
        expect(problems).toEqual([]);
        expect(elsewhere).toEqual([]);
        expect(await violations()).toEqual([]);
        // The policy is in force (so its silence above means something): an inline style is refused.
        await page.evaluate(() =>
          document.head.append(Object.assign(document.createElement('style'), { textContent: 'b{}' })),
        );
        await expect.poll(violations).toEqual(['style-src-elem inline']);
      } finally {
        await browser.close();
      }
    },
  );
});
