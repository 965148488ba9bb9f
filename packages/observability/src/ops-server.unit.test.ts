import type { AddressInfo } from 'node:net';
import { metricsAccess } from '@crh/auth';
import { openTestAuth } from '@crh/auth/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { createMetricsRegistry } from './metrics.ts';
import { createOpsServer } from './ops-server.ts';

const auth = await openTestAuth();
const server = createOpsServer({
  registry: createMetricsRegistry('ops-test'),
  ready: async () => true,
  metricsAccess: metricsAccess(auth.verifier),
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('the operations endpoints of the projector and the relay', () => {
  it('answers the probes without a token', async () => {
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect(await (await fetch(`${base}/readyz`)).json()).toEqual({ ready: true });
  });

  it('refuses /metrics without a token (401, WWW-Authenticate) and to a role without metrics:read (403)', async () => {
    const anonymous = await fetch(`${base}/metrics`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer/);
    for (const role of ['lead', 'analyst', 'ingest', 'account-manager'] as const) {
      const refused = await fetch(`${base}/metrics`, { headers: { authorization: await auth.bearer(role) } });
      expect(refused.status, role).toBe(403);
    }
  });

  it.each(['admin', 'monitoring'] as const)('serves /metrics to %s', async (role) => {
    const answer = await fetch(`${base}/metrics`, { headers: { authorization: await auth.bearer(role) } });
    expect(answer.status).toBe(200);
    expect(await answer.text()).toContain('crh_');
  });
});

describe('readiness with details', () => {
  const reporting = (ready: () => Promise<boolean | { ready: boolean; [k: string]: unknown }>) =>
    createOpsServer({ registry: createMetricsRegistry('ops-ready-test'), ready });
  const probe = async (server: ReturnType<typeof reporting>) => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/readyz`);
      return { status: response.status, body: await response.json() };
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  };

  it('answers the report as JSON, 200 when ready and 503 when not', async () => {
    expect(await probe(reporting(async () => ({ ready: true, lagEvents: 0 })))).toEqual({
      status: 200,
      body: { ready: true, lagEvents: 0 },
    });
    expect(await probe(reporting(async () => ({ ready: false, lagEvents: 12 })))).toEqual({
      status: 503,
      body: { ready: false, lagEvents: 12 },
    });
  });

  it('is not ready, saying why, when the check fails', async () => {
    expect(
      await probe(
        reporting(async () => {
          throw new Error('connect ECONNREFUSED');
        }),
      ),
    ).toEqual({ status: 503, body: { ready: false, error: 'connect ECONNREFUSED' } });
  });
});
