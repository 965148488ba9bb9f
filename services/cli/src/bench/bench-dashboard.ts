import { loadavg } from 'node:os';
import { type Browser, chromium, type Page } from 'playwright-core';
import { withServices } from '../platform/service-processes.ts';
import {
  DASHBOARD_DIST,
  type DashboardAssets,
  dashboardAssets,
  ensureDashboardBuilt,
} from './dashboard-assets.ts';
import { firstRowAt, type ScrollRun, scrollToBottom, watchFirstRow } from './dashboard-page-probes.ts';
import { type Latency, latencyOf } from './latency.ts';

export interface DashboardOptions {
  /** Cold page loads per view (a new browser context each: nothing cached). */
  loads: number;
  /** Pixels scrolled per frame: 1,000 px is 25 rows, a fast fling. */
  scrollStepPx: number;
  /** A scroll not at the bottom by then fails the part. */
  scrollLimitMs: number;
  /** Debian's Chromium; no browser is downloaded. */
  chromium: string;
  log: (line: string) => void;
}

export interface DashboardFigures {
  assets: DashboardAssets;
  /** The machine's 1-minute load average before and after the browser runs: on 2 cores, other work shows in every figure. */
  loadAverage: { before: number; after: number };
  /** Navigation start to the frame painting the first loaded row of the Neglected list. */
  firstRow: (Latency & { rowsInList: number })[];
  scroll: {
    rows: number;
    seconds: number;
    frames: number;
    frameP50: number;
    frameP95: number;
    frameMax: number;
    /** Frames over 50 ms. */
    dropped: number;
    /** Waits with rows in view still loading. */
    stalls: Latency | null;
    stalledSeconds: number;
    /** The /graphql requests made while scrolling (pages of the list). */
    requests: Latency | null;
  };
}

const NEGLECTED = '[data-list="NEGLECTED"]';
const FIRST_ROW = `${NEGLECTED} li.virtual-row .line`;

/**
 * The dashboard in Debian's Chromium over the 100k book: its initial
 * JavaScript and CSS, time to the first row of the Neglected list for a
 * lead at /team (the whole organisation) and an account manager at /, and
 * a scroll of the whole organisation's Neglected list to its last row.
 * Ingest, projector and gateway run as processes; the gateway serves the
 * built page as in production (uncompressed; sizes are also given gzipped).
 */
export async function benchDashboard(bookUrl: string, options: DashboardOptions): Promise<DashboardFigures> {
  const { log } = options;
  await ensureDashboardBuilt(log);
  const assets = await dashboardAssets();
  const env = { CRH_DASHBOARD_DIR: DASHBOARD_DIST, CRH_RATE_LIMIT: '1000000/min' };
  return withServices(bookUrl, env, async ({ graphql, auth, authorization }) => {
    const origin = new URL(graphql).origin;
    const jwt = (bearer: string) => bearer.replace(/^Bearer /, '');
    const lead = jwt(await auth.bearer(['lead'], { sub: 'bench-lead', ttl: '12h' }));
    const managerId = await managerWithNeglected(graphql, authorization);
    const manager = jwt(await auth.bearer(['account-manager'], { managerId, ttl: '12h' }));
    const before = loadavg()[0]!;
    const browser = await chromium.launch({ executablePath: options.chromium, args: ['--no-sandbox'] });
    try {
      const views = [
        { name: 'lead at /team, whole organisation', path: '/team', token: lead },
        { name: `account manager (${managerId}) at /`, path: '/', token: manager },
      ];
      const firstRow: DashboardFigures['firstRow'] = [];
      for (const view of views) {
        log(`${view.name}: ${options.loads} cold loads (one warm-up first) ...`);
        const times: number[] = [];
        let rowsInList = 0;
        for (let i = 0; i <= options.loads; i++) {
          const load = await coldLoad(
            browser,
            `${origin}${view.path}#access_token=${view.token}`,
            async (page) => Number(await page.locator(`${NEGLECTED} .count`).textContent()),
          );
          rowsInList = load.value;
          if (i > 0) times.push(load.firstRowMs);
        }
        firstRow.push({ ...latencyOf(`first Neglected row, ${view.name}`, times), rowsInList });
      }

      log('scrolling the whole organisation’s Neglected list to its last row ...');
      const run = await coldLoad(browser, `${origin}/team#access_token=${lead}`, (page) =>
        page.evaluate(scrollToBottom, {
          listSelector: NEGLECTED,
          stepPx: options.scrollStepPx,
          limitMs: options.scrollLimitMs,
        }),
      );
      if (!run.value.reachedLastRow) throw new Error('the scroll ended without the last row loaded');
      const loadAverage = { before: round(before), after: round(loadavg()[0]!) };
      return { assets, loadAverage, firstRow, scroll: scrollFigures(run.value) };
    } finally {
      await browser.close();
    }
  });
}

/** One load in a fresh context (no cache, no storage): the time to the first row, then `then` on the page. */
async function coldLoad<T>(
  browser: Browser,
  url: string,
  then: (page: Page) => Promise<T>,
): Promise<{ firstRowMs: number; value: T }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  try {
    const page = await context.newPage();
    page.setDefaultTimeout(60_000);
    await page.addInitScript(watchFirstRow, FIRST_ROW);
    await page.goto(url, { waitUntil: 'commit' });
    const firstRowMs = await page.evaluate(firstRowAt);
    return { firstRowMs, value: await then(page) };
  } finally {
    await context.close();
  }
}

function scrollFigures(run: ScrollRun): DashboardFigures['scroll'] {
  const frames = latencyOf('frame', run.frames);
  return {
    rows: run.rows,
    seconds: round(run.ms / 1000),
    frames: run.frames.length,
    frameP50: frames.p50,
    frameP95: frames.p95,
    frameMax: frames.max,
    dropped: run.frames.filter((ms) => ms > 50).length,
    stalls: run.stalls.length ? latencyOf('wait for rows in view while scrolling', run.stalls) : null,
    stalledSeconds: round(run.stalls.reduce((a, b) => a + b, 0) / 1000),
    requests: run.requests.length
      ? latencyOf('a page of 100 while scrolling (in the browser)', run.requests)
      : null,
  };
}

const round = (n: number) => Math.round(n * 10) / 10;

/** The first of am-1, am-2 … with a neglected relationship today: a morning with the list to time. */
async function managerWithNeglected(graphql: string, authorization: string): Promise<string> {
  for (let i = 1; i <= 50; i++) {
    const response = await fetch(graphql, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization },
      body: JSON.stringify({
        query:
          'query($m: ID) { relationships(accountManagerId: $m, status: [NEGLECTED], first: 1) { totalCount } }',
        variables: { m: `am-${i}` },
      }),
    });
    const body = (await response.json()) as { data?: { relationships: { totalCount: number } } };
    if ((body.data?.relationships.totalCount ?? 0) > 0) return `am-${i}`;
  }
  throw new Error('none of am-1 … am-50 has a neglected relationship today');
}
