import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTestDatabase, type TestDatabase } from '@crh/testing';
import getPort from 'get-port';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations, hasChromium, launchChromium, watchPage } from '../support/browser.ts';
import { type CliRun, postEvents, printedToken, runCli, waitFor } from '../support/service-process.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
if (!hasChromium)
  console.warn('[crh tests] skipped: the dashboard in a browser (no /usr/bin/chromium; .ci/run installs it)');

// What a new user does: `npm start -- --seed-demo`, then the printed sign-in
// links, in Debian's Chromium. The platform is the real one (ingest,
// projector and gateway as processes, over PostgreSQL); the book of am-9 is
// added through ingest so the test knows exactly who is neglected.
describe.skipIf(!hasChromium)('the dashboard in a browser, on the platform npm start runs', () => {
  let database: TestDatabase;
  let dataDir = '';
  let cli: CliRun;
  let origin = '';
  let browser: Browser;
  let admin = '';
  const contexts: BrowserContext[] = [];
  const today = new Date().toISOString().slice(0, 10);
  const daysAgo = (days: number, time = '09:00:00') =>
    `${new Date(Date.parse(`${today}T${time}Z`) - days * 86_400_000).toISOString().slice(0, 19)}Z`;
  const run = randomUUID().slice(0, 6);
  const nora = { id: `nora-${run}`, name: 'Bakkerij Nora BV' };
  const quiet = { id: `quiet-${run}`, name: 'Van Dijk Logistiek' };
  const other = { id: `other-${run}`, name: 'Elders Consultancy' };
  const later = { id: `later-${run}`, name: 'Hoekstra Zorg B.V.' };

  const signIn = async (token: string, path = '/'): Promise<Page> => {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'en-GB' });
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(`${origin}${path}#access_token=${token}`);
    return page;
  };
  const mint = async (...args: string[]) => {
    const token = runCli(['token', ...args], cliEnv());
    expect(await token.exited).toBe(0);
    return token.output().trim().split('\n').at(-1)!;
  };
  let cliEnv: () => NodeJS.ProcessEnv;
  let upAt = 0;

  beforeAll(async () => {
    database = await createTestDatabase();
    dataDir = await mkdtemp(join(tmpdir(), 'crh-dashboard-'));
    const [gatewayPort, ingestPort, projectorPort] = [await getPort(), await getPort(), await getPort()];
    origin = `http://127.0.0.1:${gatewayPort}`;
    const { CRH_AUTH: _auth, CRH_AUTH_JWKS_URL: _idp, ...inherited } = process.env;
    cliEnv = () => ({
      ...inherited,
      LOG_LEVEL: 'warn',
      DATABASE_URL: database.url,
      CRH_DATA_DIR: dataDir,
      GATEWAY_PORT: String(gatewayPort),
      INGEST_PORT: String(ingestPort),
      PROJECTOR_PORT: String(projectorPort),
      CRH_TIMEZONE: 'Europe/Amsterdam',
    });
    cli = runCli(['start', '--seed-demo'], cliEnv());
    await cli.up();
    upAt = Date.now();
    admin = printedToken(cli.output(), 'admin token:');
    const event = (customerId: string, type: string, occurredAt: string, data: object) => ({
      id: randomUUID(),
      type,
      customerId,
      occurredAt,
      actorId: 'am-9',
      data,
    });
    const answer = await postEvents(`http://127.0.0.1:${ingestPort}`, `Bearer ${admin}`, [
      // Silent for 70 days: NEGLECTED (standard tier: going quiet from 30 days, neglected from 60).
      event(nora.id, 'CustomerOnboarded', daysAgo(200), {
        name: nora.name,
        tier: 'standard',
        accountManagerId: 'am-9',
      }),
      event(nora.id, 'ContactLogged', daysAgo(70), { channel: 'call', direction: 'outbound' }),
      event(nora.id, 'NpsResponded', daysAgo(90), { score: 6, touchpoint: 'support' }),
      event(quiet.id, 'CustomerOnboarded', daysAgo(120), {
        name: quiet.name,
        tier: 'standard',
        accountManagerId: 'am-9',
      }),
      event(quiet.id, 'ContactLogged', daysAgo(40), { channel: 'email', direction: 'inbound' }),
      event(other.id, 'CustomerOnboarded', daysAgo(100), {
        name: other.name,
        tier: 'key',
        accountManagerId: 'am-8',
      }),
      // Going quiet (45 days), for the board across a gateway crash.
      event(later.id, 'CustomerOnboarded', daysAgo(100), {
        name: later.name,
        tier: 'standard',
        accountManagerId: 'am-9',
      }),
      event(later.id, 'ContactLogged', daysAgo(45), { channel: 'call', direction: 'outbound' }),
      event(other.id, 'ContactLogged', daysAgo(90), { channel: 'visit', direction: 'outbound' }),
    ]);
    expect(answer.status, await answer.clone().text()).toBe(200);
    browser = await launchChromium();
  }, 180_000);

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => {});
    await browser?.close();
    if (cli) {
      cli.interrupt();
      await cli.exited;
    }
    await database?.drop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  const graphql = async (query: string) => {
    const response = await fetch(`${origin}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` },
      body: JSON.stringify({ query }),
    });
    return (await response.json()) as { data?: Record<string, { status?: string } | null> };
  };

  /** Waits until the read models give the customer this status today. */
  const projectedAs = (customerId: string, status: string) =>
    waitFor(
      async () =>
        (await graphql(`{ relationship(customerId: "${customerId}") { status } }`)).data?.relationship
          ?.status === status
          ? true
          : undefined,
      { what: `${customerId} projected as ${status}` },
    );

  it('serves the page from its own origin under a strict policy, with no token needed for the files', async () => {
    const response = await fetch(`${origin}/team`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    const html = await response.text();
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    const asset = await fetch(`${origin}${script}`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toContain('immutable');
    // Nothing of the page comes from elsewhere: every script and style is a path on this origin.
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
  });

  it('lists the neglected customer; a logged contact takes it off the list without a reload, and a lead sees the count drop live', async () => {
    await projectedAs(nora.id, 'NEGLECTED');
    const manager = await mint('--role', 'account-manager', '--manager', 'am-9');
    const page = await signIn(manager);
    const seen = watchPage(page);
    // The token left the address bar at once, and stays for this tab (and GraphiQL's headers).
    await page.waitForURL(`${origin}/`);
    expect(await page.evaluate(() => sessionStorage.getItem('crh:access_token'))).toBe(manager);
    expect(await page.evaluate(() => localStorage.getItem('graphiql:headers'))).toContain(
      `Bearer ${manager}`,
    );
    const neglected = page.locator('[data-list="NEGLECTED"]');
    await expect.poll(() => neglected.textContent(), { timeout: 15_000 }).toContain(nora.name);
    await expect
      .poll(() => page.locator('[data-list="GOING_QUIET"]').textContent(), { timeout: 15_000 })
      .toContain(quiet.name);
    expect(await neglected.textContent()).not.toContain(other.name);

    const lead = await signIn(await mint('--role', 'lead', '--sub', 'lena'), '/team');
    const leadSeen = watchPage(lead);
    const count = lead.locator('#today-neglected');
    await expect.poll(async () => Number(await count.textContent()), { timeout: 15_000 }).toBeGreaterThan(0);
    const before = Number(await count.textContent());

    // No reload from here on: a marker on the window would not survive one.
    await page.evaluate(() => Object.assign(window, { stillTheSamePage: true }));
    await page
      .getByRole('button', { name: `Log contact with ${nora.name}` })
      .first()
      .click();
    const dialog = page.getByRole('dialog', { name: `Log contact with ${nora.name}` });
    await dialog.getByLabel('Channel').selectOption('call');
    await dialog.getByLabel('Note').fill('Called about the renewal, all well');
    await dialog.getByRole('button', { name: 'Log contact' }).click();
    await expect.poll(() => neglected.textContent(), { timeout: 15_000 }).not.toContain(nora.name);
    expect(
      await page.evaluate(() => (window as unknown as { stillTheSamePage?: boolean }).stillTheSamePage),
    ).toBe(true);
    await expect.poll(async () => Number(await count.textContent()), { timeout: 15_000 }).toBe(before - 1);

    // The relationship page shows the contact on its timeline (opened by its address: the
    // relationship left every list of the morning; the tab keeps the sign-in).
    await page.goto(`${origin}/relationships/${nora.id}`);
    const contact = page.locator('.timeline li[data-type="ContactLogged"]').first();
    await expect
      .poll(() => contact.textContent(), { timeout: 15_000 })
      .toContain('Called about the renewal, all well');
    expect(await page.locator('.facts').textContent()).toContain('active');
    expect(seen).toEqual({ violations: [], errors: [] });
    expect(leadSeen).toEqual({ violations: [], errors: [] });
  });

  it("tells an account manager that another manager's customer is not in its book", async () => {
    const page = await signIn(
      await mint('--role', 'account-manager', '--manager', 'am-9'),
      `/relationships/${other.id}`,
    );
    await expect
      .poll(() => page.locator('main').textContent(), { timeout: 15_000 })
      .toContain('not in your book');
    expect(await page.locator('main').textContent()).not.toContain(other.name);
  });

  it('shows a relationship as it stood on a past day, picked with the "as of" date', async () => {
    const page = await signIn(
      await mint('--role', 'account-manager', '--manager', 'am-9'),
      `/relationships/${quiet.id}`,
    );
    const status = page.locator('.facts .status');
    await expect.poll(() => status.textContent(), { timeout: 15_000 }).toBe('going quiet');
    // 25 days after its last contact (40 days ago) it was still active; 35 days after, going quiet.
    const pastDay = daysAgo(15).slice(0, 10);
    await page.getByLabel('As of').fill(pastDay);
    await page.waitForURL(`${origin}/relationships/${quiet.id}?asOf=${pastDay}`);
    await expect.poll(() => status.textContent(), { timeout: 15_000 }).toBe('active');
    expect(await page.locator('.as-of').textContent()).toContain('As it stood at the end of');
    await page.getByLabel('As of').fill(daysAgo(5).slice(0, 10));
    await expect.poll(() => status.textContent(), { timeout: 15_000 }).toBe('going quiet');
  });

  it('keeps the board live across a gateway crash: the page reconnects and the next change arrives', async () => {
    await projectedAs(later.id, 'GOING_QUIET');
    const lead = await signIn(await mint('--role', 'lead', '--sub', 'lena'), '/team');
    const quietCount = lead.locator('#today-going-quiet');
    await expect
      .poll(async () => Number(await quietCount.textContent()), { timeout: 15_000 })
      .toBeGreaterThan(0);
    const before = Number(await quietCount.textContent());
    await lead.evaluate(() => Object.assign(window, { stillTheSamePage: true }));

    // kill -9 of the gateway process `crh start` runs. Its supervisor starts again a service that
    // had been up for 10 s (a quicker exit means it cannot start, and stops the platform).
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, upAt + 11_000 - Date.now())));
    const port = new URL(origin).port;
    const pid = gatewayPid(port);
    if (pid === null) throw new Error(`no gateway process listens on ${port}`);
    process.kill(pid, 'SIGKILL');
    await waitFor(async () => (gatewayPid(port, pid) !== null ? true : undefined), { what: 'a new gateway' });
    await waitFor(async () => ((await fetch(`${origin}/readyz`)).ok ? true : undefined), {
      what: 'its readiness',
    });

    // A contact recorded now (through the API) reaches the board over the page's new connection.
    const answer = await fetch(`${origin}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` },
      body: JSON.stringify({
        query:
          'mutation ($c: ID!) { logContact(input: { customerId: $c, channel: "call", direction: "outbound" }) { id } }',
        variables: { c: later.id },
      }),
    });
    const body = (await answer.json()) as { errors?: unknown };
    expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
    await expect
      .poll(async () => Number(await quietCount.textContent()), { timeout: 45_000 })
      .toBe(before - 1);
    expect(
      await lead.evaluate(() => (window as unknown as { stillTheSamePage?: boolean }).stillTheSamePage),
    ).toBe(true);
  }, 90_000);

  it('has no serious or critical accessibility violation on any page, fits 360 px, and writes 1440x900 screenshots', async () => {
    const am1 = printedToken(cli.output(), 'am-1 token:');
    const lead = /lead sign-in link:\s+\S+#access_token=([\w.-]+)/.exec(cli.output())?.[1] ?? '';
    const demoCustomer = (await graphql(
      '{ todaysCalls(accountManagerId: "am-1", first: 1) { relationship { customerId } } }',
    )) as unknown as {
      data: { todaysCalls: { relationship: { customerId: string } }[] };
    };
    const pages = [
      { name: 'morning', token: am1, path: '/', ready: '[data-list="NEGLECTED"] .count' },
      {
        name: 'relationship',
        token: am1,
        path: `/relationships/${demoCustomer.data.todaysCalls[0]?.relationship.customerId ?? 'cust-000001'}`,
        ready: '.status-band',
      },
      { name: 'team', token: lead, path: '/team', ready: '#today-neglected' },
    ];
    // A test run that rewrote tracked files would leave every clone changed:
    // the README's copies are refreshed on purpose (CRH_UPDATE_SCREENSHOTS=1, `npm run screenshots`).
    const { CRH_UPDATE_SCREENSHOTS: update, CRH_SCREENSHOTS_DIR: elsewhere } = process.env;
    const out = update === '1' ? join(root, 'docs/img') : (elsewhere ?? join(dataDir, 'screenshots'));
    await mkdir(out, { recursive: true });
    for (const view of pages) {
      const page = await signIn(view.token, view.path);
      await page.locator(view.ready).first().waitFor({ timeout: 20_000 });
      await page.waitForLoadState('networkidle');
      const violations = await axeViolations(page);
      expect(violations.map((v) => `${view.name}: ${v.id} (${v.impact}) ${v.help}`)).toEqual([]);
      const png = await page.screenshot({ fullPage: false });
      expect(png.readUInt32BE(16)).toBe(1440);
      expect(png.readUInt32BE(20)).toBe(900);
      await writeFile(join(out, `dashboard-${view.name}.png`), png);
      // A phone held upright: nothing wider than the screen, so no sideways scrolling.
      await page.setViewportSize({ width: 360, height: 740 });
      await expect
        .poll(() => page.evaluate(() => document.documentElement.scrollWidth), { timeout: 5_000 })
        .toBeLessThanOrEqual(360);
    }
  });
});

/** The pid of the gateway process listening on `port` (other than `not`), from /proc: what `crh start` spawned. */
function gatewayPid(port: string, not?: number): number | null {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === not) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      const environ = readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0');
      if (cmdline.includes('services/gateway/src/main.ts') && environ.includes(`GATEWAY_PORT=${port}`)) {
        return Number(entry);
      }
    } catch {
      // A process that ended meanwhile.
    }
  }
  return null;
}
