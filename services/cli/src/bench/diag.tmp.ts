import { startEmbeddedPostgres } from '@crh/embedded-postgres';
import { chromium } from 'playwright-core';
import { dataDir } from '../platform/data-dir.ts';
import { withServices } from '../platform/service-processes.ts';
import { DASHBOARD_DIST } from './dashboard-assets.ts';

const pg = await startEmbeddedPostgres(dataDir(), 54339, () => {});
const url = pg.adminUrl.replace(/\/postgres$/, '/crh_bench_book');
try {
  await withServices(
    url,
    { CRH_DASHBOARD_DIR: DASHBOARD_DIST, CRH_RATE_LIMIT: '1000000/min' },
    async ({ graphql, auth }) => {
      const origin = new URL(graphql).origin;
      const lead = (await auth.bearer(['lead'], { sub: 'x' })).slice(7);
      const am = (await auth.bearer(['account-manager'], { managerId: 'am-1' })).slice(7);
      const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
      for (const [path, token] of [
        ['/team', lead],
        ['/team', lead],
        ['/', am],
        ['/', am],
      ] as const) {
        const context = await browser.newContext();
        const page = await context.newPage();
        const t0 = Date.now();
        const lines: string[] = [];
        page.on('request', (r) => {
          const body = r.postData() ?? '';
          const op =
            /"operationName":"(\w+)"/.exec(body)?.[1] ?? /query (\w+)/.exec(body)?.[1] ?? r.url().slice(-30);
          const at = Date.now() - t0;
          r.response().then(() =>
            lines.push(`${String(at).padStart(5)} -> ${String(Date.now() - t0).padStart(5)}  ${op}`),
          );
        });
        await page.goto(`${origin}${path}#access_token=${token}`);
        await page.locator('[data-list="NEGLECTED"] li.virtual-row .line').first().waitFor();
        const ms = await page.evaluate(() => performance.now());
        const nav = await page.evaluate(() =>
          JSON.stringify(performance.getEntriesByType('navigation')[0]?.toJSON?.() ?? {}),
        );
        const n = JSON.parse(nav);
        console.log(
          `${path}: first row ~${Math.round(ms)} ms; DCL ${Math.round(n.domContentLoadedEventEnd)} load ${Math.round(n.loadEventEnd)}`,
        );
        await new Promise((r) => setTimeout(r, 1500));
        console.log(lines.sort().join('\n'));
        await context.close();
      }
      await browser.close();
    },
  );
} finally {
  await pg.stop();
}
