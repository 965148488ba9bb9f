import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { toEnvelope } from '@crh/event-store';
import {
  CustomerKeys,
  createSealedEnvelopeReader,
  createSealingEventStore,
  customerKeysFromApi,
  masterKeyOf,
  type SealedEnvelope,
} from '@crh/event-store/encryption';
import { openApiSchemas } from '@crh/testing/json-schemas';
import { openPlatformTestDatabase, type PlatformTestDatabase } from '@crh/testing/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type IngestServer, listenIngest } from '../testing/ingest-server.ts';
import { openApiDocument } from './openapi-document.ts';

// GET /openapi.json, and every kind of answer the ingest gives checked
// against the schema that document states for its path, method, status and
// media type: the document describes what the service really does.
describe('the OpenAPI document of the ingest, against the running service', () => {
  let ingest: IngestServer;
  let base: string;
  let database: PlatformTestDatabase;
  /** An admin's Authorization header: may use every operation. */
  let admin: string;
  type Response = {
    content?: Record<string, { schema: unknown }>;
    headers?: Record<string, { required?: boolean; schema: unknown }>;
  };
  const document = openApiDocument() as unknown as {
    paths: Record<string, Record<string, { responses: Record<string, Response | { $ref: string }> }>>;
    components: { schemas: Record<string, unknown>; responses: Record<string, Response> };
  };
  const compile = openApiSchemas(document);
  /** A response of the document, its `$ref` to a shared response followed. */
  const resolved = (response: Response | { $ref: string } | undefined): Response | undefined =>
    response && '$ref' in response
      ? document.components.responses[response.$ref.replace('#/components/responses/', '')]
      : response;

  beforeAll(async () => {
    database = await openPlatformTestDatabase();
    ingest = await listenIngest(database.store, { bodyLimit: '64kb' });
    base = ingest.base;
    admin = await ingest.auth.bearer('admin');
  });

  afterAll(async () => {
    await ingest.close();
    await database.close();
  });

  /**
   * Fetches (as an admin unless `init` says otherwise), then checks the
   * answer against the document's schema for it, and its required headers
   * against theirs; returns the parsed body.
   */
  const answer = async (
    path: string,
    template: string,
    expected: { status: number; mediaType: string },
    init?: RequestInit,
    server = base,
  ): Promise<unknown> => {
    const headers = new Headers(init?.headers);
    if (!headers.has('authorization')) headers.set('authorization', admin);
    if (headers.get('authorization') === '') headers.delete('authorization');
    const response = await fetch(`${server}${path}`, { ...init, headers });
    expect(response.status).toBe(expected.status);
    expect(response.headers.get('content-type')).toMatch(
      new RegExp(`^${expected.mediaType.replace('+', '\\+')}`),
    );
    const operation = document.paths[template]![(init?.method ?? 'get').toLowerCase()]!;
    const declared = resolved(operation.responses[String(expected.status)]);
    const schema = declared?.content?.[expected.mediaType]?.schema;
    expect(
      schema,
      `the document has no ${expected.mediaType} answer ${expected.status} for ${template}`,
    ).toBeDefined();
    for (const [name, header] of Object.entries(declared?.headers ?? {})) {
      const value = response.headers.get(name);
      if (value === null) {
        expect(header.required, `${template} ${expected.status} lacks the header ${name}`).not.toBe(true);
        continue;
      }
      const validateHeader = compile(header.schema);
      expect(validateHeader(value), `${name}: ${value} ${JSON.stringify(validateHeader.errors)}`).toBe(true);
    }
    const validate = compile(schema);
    const text = await response.text();
    const bodies =
      expected.mediaType === 'application/x-ndjson'
        ? text
            .split('\n')
            .filter((line) => line !== '')
            .map((line) => JSON.parse(line))
        : [expected.mediaType === 'text/plain' ? text : JSON.parse(text)];
    for (const body of bodies) expect(validate(body), JSON.stringify(validate.errors)).toBe(true);
    return expected.mediaType === 'application/x-ndjson' ? bodies : bodies[0];
  };
  const json = (body: unknown, contentType = 'application/json', authorization?: string): RequestInit => ({
    method: 'POST',
    headers: { 'content-type': contentType, ...(authorization !== undefined ? { authorization } : {}) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const problem = 'application/problem+json';

  it('serves the document it is built from, which is the one checked in', async () => {
    const response = await fetch(`${base}/openapi.json`, { headers: { authorization: admin } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const served = await response.json();
    expect(served).toEqual(openApiDocument());
    const checkedIn = JSON.parse(
      readFileSync(new URL('../../../docs/api/openapi.json', import.meta.url), 'utf8'),
    );
    expect(served).toEqual(checkedIn);
  });

  it('records, streams and replays as the document says', async () => {
    const customerId = `openapi-${randomUUID().slice(0, 8)}`;
    const events = [
      {
        id: randomUUID(),
        type: 'CustomerOnboarded',
        customerId,
        occurredAt: '2026-03-01T09:00:00+01:00',
        data: { name: 'Acme BV', accountManagerId: 'am-1' },
        metadata: { source: 'test' },
      },
      {
        id: randomUUID(),
        type: 'PromiseMade',
        customerId,
        occurredAt: '2026-03-01T10:00:00Z',
        actorId: 'am-1',
        data: { promiseId: 'p-1', description: 'call back', dueAt: '2026-03-02T10:00:00-05:00' },
      },
      {
        id: randomUUID(),
        type: 'ContactLogged',
        customerId,
        occurredAt: '2026-03-01T11:00:00Z',
        data: { channel: 'call', direction: 'outbound' },
      },
    ];
    const recorded = (await answer(
      '/v1/events',
      '/v1/events',
      { status: 200, mediaType: 'application/json' },
      json({ events }),
    )) as {
      results: unknown[];
    };
    expect(recorded.results).toHaveLength(3);
    const again = (await answer(
      '/v1/events',
      '/v1/events',
      { status: 200, mediaType: 'application/json' },
      json({ events: events.slice(0, 1) }),
    )) as {
      results: { status: string }[];
    };
    expect(again.results[0]!.status).toBe('duplicate');

    const stream = (await answer(`/v1/customers/${customerId}/events`, '/v1/customers/{customerId}/events', {
      status: 200,
      mediaType: 'application/json',
    })) as { events: unknown[] };
    expect(stream.events).toHaveLength(3);

    const lines = (await answer(
      `/v1/events?customerId=${customerId}&types=PromiseMade,CustomerOnboarded`,
      '/v1/events',
      {
        status: 200,
        mediaType: 'application/x-ndjson',
      },
    )) as { type: string }[];
    expect(lines.map((line) => line.type)).toEqual(['CustomerOnboarded', 'PromiseMade']);

    const count = (await answer(`/v1/events/count?customerId=${customerId}`, '/v1/events/count', {
      status: 200,
      mediaType: 'application/json',
    })) as { events: number };
    expect(count.events).toBe(3);
  });

  it('answers every refusal with the problem the document names for it', async () => {
    const contact = {
      id: randomUUID(),
      type: 'ContactLogged',
      customerId: 'openapi-bad',
      occurredAt: '2026-03-01T10:15:00Z',
      data: { channel: 'call', direction: 'outbound' },
    };
    const refusals: [string, string, number, RequestInit | undefined, string][] = [
      [
        '/v1/events',
        '/v1/events',
        400,
        json({ events: [{ ...contact, type: 'Teleported' }] }),
        'urn:crh:problem:validation-failed',
      ],
      ['/v1/events', '/v1/events', 400, json('{"events": ['), 'urn:crh:problem:malformed-json'],
      [
        '/v1/events',
        '/v1/events',
        413,
        json({ events: [{ ...contact, metadata: { pad: 'x'.repeat(70_000) } }] }),
        'urn:crh:problem:payload-too-large',
      ],
      [
        '/v1/events',
        '/v1/events',
        415,
        json('events=1', 'text/plain'),
        'urn:crh:problem:unsupported-media-type',
      ],
      ['/v1/events?limit=0&colour=red', '/v1/events', 400, undefined, 'urn:crh:problem:validation-failed'],
      [
        '/v1/events/count?from=yesterday',
        '/v1/events/count',
        400,
        undefined,
        'urn:crh:problem:validation-failed',
      ],
      [
        '/v1/customers/no%20spaces/events',
        '/v1/customers/{customerId}/events',
        400,
        undefined,
        'urn:crh:problem:validation-failed',
      ],
    ];
    for (const [path, template, status, init, type] of refusals) {
      const body = (await answer(path, template, { status, mediaType: problem }, init)) as { type: string };
      expect(body.type).toBe(type);
    }

    await answer(
      '/v1/events',
      '/v1/events',
      { status: 200, mediaType: 'application/json' },
      json({ events: [{ ...contact, id: randomUUID(), customerId: 'openapi-rev' }] }),
    );
    const conflict = (await answer(
      '/v1/events',
      '/v1/events',
      { status: 409, mediaType: problem },
      json({ events: [{ ...contact, customerId: 'openapi-rev', expectedRevision: 5 }] }),
    )) as { actualRevision: number };
    expect(conflict.actualRevision).toBe(0);
  });

  it('answers every refusal of access control with the problem and headers the document names', async () => {
    const none = { headers: { authorization: '' } };
    const broken = { headers: { authorization: 'Bearer not.a-token.at-all' } };
    const as = async (role: 'ingest' | 'analyst' | 'lead' | 'account-manager') => ({
      headers: { authorization: await ingest.auth.bearer(role) },
    });
    const refusals: [string, string, number, RequestInit, string][] = [
      ['/v1/events', '/v1/events', 401, json({ events: [] }, 'application/json', ''), 'unauthenticated'],
      ['/v1/events', '/v1/events', 401, broken, 'unauthenticated'],
      ['/v1/events/count', '/v1/events/count', 401, none, 'unauthenticated'],
      ['/v1/customers/c-1/events', '/v1/customers/{customerId}/events', 401, broken, 'unauthenticated'],
      ['/metrics', '/metrics', 401, none, 'unauthenticated'],
      ['/openapi.json', '/openapi.json', 401, none, 'unauthenticated'],
      [
        '/v1/events',
        '/v1/events',
        403,
        json({ events: [] }, 'application/json', await ingest.auth.bearer('analyst')),
        'forbidden',
      ],
      ['/v1/events', '/v1/events', 403, await as('ingest'), 'forbidden'],
      ['/v1/events/count', '/v1/events/count', 403, await as('lead'), 'forbidden'],
      ['/v1/customers/c-1/events', '/v1/customers/{customerId}/events', 403, await as('lead'), 'forbidden'],
      ['/metrics', '/metrics', 403, await as('analyst'), 'forbidden'],
    ];
    for (const [path, template, status, init, type] of refusals) {
      const body = (await answer(path, template, { status, mediaType: problem }, init)) as { type: string };
      expect(body.type).toBe(`urn:crh:problem:${type}`);
    }

    // One request of each kind a minute: the second of each is refused.
    const limited = await listenIngest(database.store, {
      auth: ingest.auth,
      limits: { replay: '1/min', append: '1/min', read: '1/min' },
    });
    try {
      const tooMany: [string, string, RequestInit][] = [
        ['/v1/events/count', '/v1/events/count', {}],
        ['/v1/events', '/v1/events', json({ events: [] }, 'application/json', admin)],
        ['/v1/customers/c-1/events', '/v1/customers/{customerId}/events', {}],
        ['/openapi.json', '/openapi.json', {}],
      ];
      for (const [path, template, init] of tooMany) {
        await fetch(`${limited.base}${path}`, {
          ...init,
          headers: { ...init.headers, authorization: admin },
        });
        const body = (await answer(
          path,
          template,
          { status: 429, mediaType: problem },
          init,
          limited.base,
        )) as {
          type: string;
        };
        expect(body.type).toBe('urn:crh:problem:too-many-requests');
      }
    } finally {
      await limited.close();
    }
  });

  it('erases as the document says, and refuses what it names', async () => {
    const keys = new CustomerKeys(database.pool, { master: masterKeyOf(randomBytes(32)) });
    const sealed = await listenIngest(createSealingEventStore(database.store, keys), {
      auth: ingest.auth,
      personalData: { keys, audit: database.pool, keyCacheSeconds: 60 },
    });
    try {
      const customerId = `openapi-erased-${randomUUID().slice(0, 8)}`;
      const contact = (summary?: string) => ({
        id: randomUUID(),
        type: 'ContactLogged',
        customerId,
        occurredAt: '2026-03-01T10:15:00Z',
        data: { channel: 'call', direction: 'outbound', ...(summary ? { summary } : {}) },
      });
      await answer(
        '/v1/events',
        '/v1/events',
        { status: 200, mediaType: 'application/json' },
        json({ events: [contact('asked for Anna')] }),
        sealed.base,
      );
      const path = `/v1/customers/${customerId}/erasure`;
      const template = '/v1/customers/{customerId}/erasure';
      const erased = await answer(
        path,
        template,
        { status: 200, mediaType: 'application/json' },
        json({ reason: 'DSR-7' }),
        sealed.base,
      );
      expect(
        await answer(
          path,
          template,
          { status: 200, mediaType: 'application/json' },
          { method: 'POST' },
          sealed.base,
        ),
      ).toEqual(erased);
      const refusals: [string, number, RequestInit, string][] = [
        [path, 400, json({ reason: '' }), 'validation-failed'],
        [path, 400, json({ why: 'x' }), 'validation-failed'],
        [path, 400, json('{"reason":'), 'malformed-json'],
        [path, 415, json('reason=x', 'text/plain'), 'unsupported-media-type'],
        [path, 403, json({}, 'application/json', await ingest.auth.bearer('lead')), 'forbidden'],
        ['/v1/customers/nobody-here/erasure', 404, { method: 'POST' }, 'unknown-customer'],
        ['/v1/customers/no%20spaces/erasure', 400, { method: 'POST' }, 'validation-failed'],
      ];
      for (const [url, status, init, type] of refusals) {
        const body = (await answer(url, template, { status, mediaType: problem }, init, sealed.base)) as {
          type: string;
        };
        expect(body.type).toBe(`urn:crh:problem:${type}`);
      }
      const refused = (await answer(
        '/v1/events',
        '/v1/events',
        { status: 409, mediaType: problem },
        json({ events: [contact('again')] }),
        sealed.base,
      )) as { type: string; customerIds: string[] };
      const analyst = await ingest.auth.bearer('analyst');
      const keyAnswer = await answer(
        '/v1/customer-keys',
        '/v1/customer-keys',
        { status: 200, mediaType: 'application/json' },
        json({ customerIds: [customerId, 'never-sealed', customerId] }, 'application/json', analyst),
        sealed.base,
      );
      expect(keyAnswer).toEqual({
        keys: [{ customerId, erased: true }, { customerId: 'never-sealed' }],
        cacheSeconds: 60,
      });
      // A customer not erased: its key, fetched as a data team's reader does, opens its sealed event.
      const kept = `openapi-kept-${randomUUID().slice(0, 8)}`;
      await answer(
        '/v1/events',
        '/v1/events',
        { status: 200, mediaType: 'application/json' },
        json({ events: [{ ...contact('Bram asked twice'), customerId: kept }] }),
        sealed.base,
      );
      const stored = (await database.store.readStream(kept)).map((e) => toEnvelope(e) as SealedEnvelope);
      expect(JSON.stringify(stored)).not.toContain('Bram');
      const reader = createSealedEnvelopeReader({
        keys: customerKeysFromApi({ url: sealed.base, authorization: analyst }),
      });
      expect((await reader.open(stored))[0]!.data).toEqual({
        channel: 'call',
        direction: 'outbound',
        summary: 'Bram asked twice',
      });
      for (const [body, status, type] of [
        [{ customerIds: [] }, 400, 'validation-failed'],
        [{ customerIds: ['a b'] }, 400, 'validation-failed'],
        ['{"customerIds":', 400, 'malformed-json'],
      ] as const) {
        const refusal = (await answer(
          '/v1/customer-keys',
          '/v1/customer-keys',
          { status, mediaType: problem },
          json(body, 'application/json', analyst),
          sealed.base,
        )) as { type: string };
        expect(refusal.type).toBe(`urn:crh:problem:${type}`);
      }
      await answer(
        '/v1/customer-keys',
        '/v1/customer-keys',
        { status: 403, mediaType: problem },
        json({ customerIds: ['x'] }, 'application/json', await ingest.auth.bearer('lead')),
        sealed.base,
      );
      expect(refused).toMatchObject({ type: 'urn:crh:problem:customer-erased', customerIds: [customerId] });
    } finally {
      await sealed.close();
    }
  });

  it('answers an unknown route with the NotFound problem of the document', async () => {
    const response = await fetch(`${base}/v1/nothing`, { headers: { authorization: admin } });
    expect(response.status).toBe(404);
    const notFound = document.components.responses.NotFound?.content?.[problem]?.schema;
    expect(notFound).toBeDefined();
    const validate = compile(notFound);
    expect(validate(await response.json()), JSON.stringify(validate.errors)).toBe(true);
  });

  it('answers the operations routes as the document says', async () => {
    await answer('/healthz', '/healthz', { status: 200, mediaType: 'application/json' });
    await answer('/readyz', '/readyz', { status: 200, mediaType: 'application/json' });
    expect(await answer('/metrics', '/metrics', { status: 200, mediaType: 'text/plain' })).toMatch(
      /^# HELP/m,
    );
  });
});
