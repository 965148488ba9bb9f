import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { openPlatformTestDatabase, type PlatformTestDatabase } from '@crh/testing/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type IngestServer, listenIngest } from '../testing/ingest-server.ts';

// Every kind of bad input against the running ingest (a real socket, a real
// PostgreSQL log): each is answered 4xx problem+json with a precise message,
// nothing of it is recorded, and nothing is a 500 or a silent change.

interface Problem {
  type: string;
  status: number;
  detail?: string;
  errors?: { index?: number; path: string; message: string }[];
  ids?: string[];
}

interface BadInput {
  name: string;
  /** A JSON value (serialised here), or raw text or bytes sent as they are. */
  body: unknown;
  raw?: boolean;
  headers?: Record<string, string>;
  status: number;
  type: string;
  /** An issue the problem lists: its path and words of its message. */
  issue?: { index?: number; path: string; words: string };
  /** Words of the problem's detail. */
  detail?: string;
}

const validation = 'urn:crh:problem:validation-failed';
const STORED_ID = randomUUID();
const stored = {
  id: STORED_ID,
  type: 'ContactLogged',
  customerId: 'c-stored',
  occurredAt: '2026-03-01T10:15:00Z',
  actorId: 'am-1',
  data: { channel: 'call', direction: 'outbound' },
  metadata: { source: 'crm', n: 1 },
};
const contact = (extra: Record<string, unknown> = {}) => ({
  id: randomUUID(),
  type: 'ContactLogged',
  customerId: 'c-bad-input',
  occurredAt: '2026-03-01T10:15:00Z',
  data: { channel: 'call', direction: 'outbound' },
  ...extra,
});
/** A batch of one good event and one bad one (index 1), so "nothing recorded" covers the good one too. */
const withBad = (extra: Record<string, unknown>) => ({ events: [contact(), contact(extra)] });
const nested = (depth: number): unknown => {
  let value: unknown = 'leaf';
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
};

const fieldCases = (
  cases: [name: string, extra: Record<string, unknown>, path: string, words: string][],
): BadInput[] =>
  cases.map(([name, extra, path, words]) => ({
    name,
    body: withBad(extra),
    status: 400,
    type: validation,
    issue: { index: 1, path, words },
  }));

const BAD_INPUTS: BadInput[] = [
  // The body as a whole.
  {
    name: 'empty body',
    body: '',
    raw: true,
    status: 400,
    type: validation,
    issue: { path: 'events', words: 'events is required' },
  },
  {
    name: 'not JSON',
    body: 'events: yes',
    raw: true,
    status: 400,
    type: 'urn:crh:problem:malformed-json',
    detail: 'not valid JSON',
  },
  {
    name: 'truncated JSON',
    body: '{"events": [',
    raw: true,
    status: 400,
    type: 'urn:crh:problem:malformed-json',
    detail: 'not valid JSON',
  },
  {
    name: 'JSON null',
    body: 'null',
    raw: true,
    status: 400,
    type: validation,
    issue: { path: 'events', words: 'must be a JSON object' },
  },
  {
    name: 'an array instead of an object',
    body: [contact()],
    status: 400,
    type: validation,
    issue: { path: 'events', words: 'must be a JSON object of the form' },
  },
  {
    name: 'a top-level field besides events',
    body: { events: [contact()], extra: 1 },
    status: 400,
    type: validation,
    issue: { path: 'events', words: 'unknown top-level field(s): extra' },
  },
  {
    name: 'events not an array',
    body: { events: contact() },
    status: 400,
    type: validation,
    issue: { path: 'events', words: 'must be an array' },
  },
  {
    name: 'no events',
    body: { events: [] },
    status: 400,
    type: validation,
    issue: { path: 'events', words: 'it holds 0' },
  },
  {
    name: 'too many events',
    body: { events: Array.from({ length: 1001 }, () => contact()) },
    status: 400,
    type: validation,
    issue: { path: 'events', words: 'must hold 1 to 1000 envelopes; it holds 1001' },
  },
  {
    name: 'an envelope that is not an object',
    body: { events: [contact(), 42] },
    status: 400,
    type: validation,
    issue: { index: 1, path: '', words: 'must be a JSON object' },
  },
  {
    name: 'nesting 100000 deep',
    body: `{"events":${'['.repeat(100_000)}${']'.repeat(100_000)}}`,
    raw: true,
    status: 400,
    type: validation,
    issue: { index: 0, path: '', words: 'must be a JSON object' },
  },
  // Media type and encoding.
  {
    name: 'text/plain',
    body: { events: [contact()] },
    headers: { 'content-type': 'text/plain' },
    status: 415,
    type: 'urn:crh:problem:unsupported-media-type',
    detail: 'takes application/json',
  },
  {
    name: 'form encoded',
    body: 'events=1',
    raw: true,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    status: 415,
    type: 'urn:crh:problem:unsupported-media-type',
    detail: 'takes application/json',
  },
  {
    name: 'a charset other than UTF-8',
    body: { events: [contact()] },
    headers: { 'content-type': 'application/json; charset=latin1' },
    status: 415,
    type: 'urn:crh:problem:unsupported-media-type',
    detail: 'unsupported charset "LATIN1"',
  },
  {
    name: 'corrupt gzip',
    body: Buffer.from('this is not gzip'),
    raw: true,
    headers: { 'content-encoding': 'gzip' },
    status: 400,
    type: 'urn:crh:problem:undecodable-body',
    detail: 'not valid gzip data',
  },
  {
    name: 'truncated gzip',
    body: gzipSync(JSON.stringify({ events: [contact()] })).subarray(0, 20),
    raw: true,
    headers: { 'content-encoding': 'gzip' },
    status: 400,
    type: 'urn:crh:problem:undecodable-body',
    detail: 'not valid gzip data',
  },
  {
    name: 'br declared on plain JSON',
    body: { events: [contact()] },
    headers: { 'content-encoding': 'br' },
    status: 400,
    type: 'urn:crh:problem:undecodable-body',
    detail: 'not valid br data',
  },
  {
    name: 'an unknown encoding',
    body: { events: [contact()] },
    headers: { 'content-encoding': 'compress' },
    status: 415,
    type: 'urn:crh:problem:unsupported-media-type',
    detail: 'unsupported content encoding "compress"',
  },
  {
    name: 'two encodings',
    body: gzipSync(gzipSync(JSON.stringify({ events: [contact()] }))),
    raw: true,
    headers: { 'content-encoding': 'gzip, gzip' },
    status: 415,
    type: 'urn:crh:problem:unsupported-media-type',
    detail: 'identity, gzip, deflate, br or zstd',
  },
  // Each field's wrong type.
  ...fieldCases([
    ['id: a number', { id: 42 }, 'id', 'id must be a UUID'],
    ['id: not a UUID', { id: 'evt-1' }, 'id', 'id must be a UUID'],
    ['type: a number', { type: 7 }, 'type', 'type 7 is not an event type'],
    ['type: unknown', { type: 'ContactLost' }, 'type', 'type "ContactLost" is not an event type'],
    ['customerId: an object', { customerId: {} }, 'customerId', 'customerId must be 1 to 128 characters'],
    ['occurredAt: epoch seconds', { occurredAt: 1772360100 }, 'occurredAt', 'RFC 3339 timestamp'],
    [
      'occurredAt: no offset',
      { occurredAt: '2026-03-01T10:15:00' },
      'occurredAt',
      'RFC 3339 timestamp with offset',
    ],
    ['occurredAt: 30 February', { occurredAt: '2026-02-30T00:00:00Z' }, 'occurredAt', 'real calendar date'],
    ['actorId: a number', { actorId: 5 }, 'actorId', 'actorId must be a string of 1 to 128'],
    ['actorId: empty', { actorId: '' }, 'actorId', 'actorId must be a string of 1 to 128'],
    ['data: an array', { data: [] }, 'data', 'data must be a JSON object'],
    ['data: a string', { data: 'call' }, 'data', 'data must be a JSON object'],
    ['data: missing', { data: undefined }, 'data', 'data is required'],
    [
      'data.channel: a number',
      { data: { channel: 5, direction: 'outbound' } },
      'data.channel',
      'data.channel must be one of',
    ],
    [
      'data: an unknown field',
      { data: { channel: 'call', direction: 'outbound', x: 1 } },
      'data.x',
      '"x" is not a field of ContactLogged data',
    ],
    ['metadata: an array', { metadata: [] }, 'metadata', 'metadata must be a JSON object'],
    ['metadata: a string', { metadata: 'crm' }, 'metadata', 'metadata must be a JSON object'],
    [
      'expectedRevision: a string',
      { expectedRevision: '1' },
      'expectedRevision',
      'whole number of -1 or more',
    ],
    [
      'expectedRevision: a fraction',
      { expectedRevision: 1.5 },
      'expectedRevision',
      'whole number of -1 or more',
    ],
    ['expectedRevision: -2', { expectedRevision: -2 }, 'expectedRevision', 'whole number of -1 or more'],
    ['an unknown envelope field', { payload: {} }, 'payload', '"payload" is not an envelope field'],
    // Overlong strings.
    ['customerId: 129 characters', { customerId: 'c'.repeat(129) }, 'customerId', '1 to 128 characters'],
    ['actorId: 129 characters', { actorId: 'a'.repeat(129) }, 'actorId', '1 to 128 characters'],
    ['type: 100000 characters', { type: 'T'.repeat(100_000) }, 'type', 'is not an event type'],
    [
      'data.summary: 10001 characters',
      { data: { channel: 'call', direction: 'outbound', summary: 's'.repeat(10_001) } },
      'data.summary',
      'at most 10000 characters',
    ],
    [
      'metadata: over 4096 bytes',
      { metadata: { note: 'ü'.repeat(2100) } },
      'metadata',
      'at most 4096 bytes as JSON; it is 4211',
    ],
    // Deep nesting and huge numbers.
    [
      'metadata nested 40 deep',
      { metadata: nested(40) as Record<string, unknown> },
      `metadata${'.a'.repeat(31)}`,
      'nests deeper than 32 levels',
    ],
    [
      'data nested',
      { data: { channel: 'call', direction: 'outbound', summary: { a: { b: 1 } } } },
      'data.summary',
      'must be a string',
    ],
    ['metadata: an integer beyond 2^53', { metadata: { n: 2 ** 60 } }, 'metadata.n', 'send it as a string'],
    // NUL and unpaired surrogates, anywhere.
    [
      'NUL in data',
      { data: { channel: 'call', direction: 'outbound', summary: 'a\u0000b' } },
      'data.summary',
      'NUL character (U+0000) at offset 1',
    ],
    [
      'NUL in metadata',
      { metadata: { trail: ['ok', { v: 'x\u0000' }] } },
      'metadata.trail.1.v',
      'NUL character',
    ],
    [
      'NUL in a metadata key',
      { metadata: { 'k\u0000': 1 } },
      'metadata["k\\u0000"]',
      'the key of metadata["k\\u0000"] contains a NUL',
    ],
    ['NUL in actorId', { actorId: 'am\u00007' }, 'actorId', 'NUL character (U+0000) at offset 2'],
    ['NUL in customerId', { customerId: 'c\u0000' }, 'customerId', 'NUL character'],
    ['NUL in type', { type: 'ContactLogged\u0000' }, 'type', 'NUL character'],
    ['NUL in id', { id: `${randomUUID()}\u0000` }, 'id', 'NUL character'],
    ['NUL in an unknown field name', { 'x\u0000': 1 }, '["x\\u0000"]', 'NUL character'],
    [
      'lone high surrogate in actorId',
      { actorId: 'am-\ud83d' },
      'actorId',
      'unpaired surrogate (U+D83D) at offset 3',
    ],
    [
      'lone low surrogate in data',
      { data: { channel: 'call', direction: 'outbound', summary: '\ude00!' } },
      'data.summary',
      'unpaired surrogate (U+DE00) at offset 0',
    ],
    [
      'lone surrogate in a nested metadata key',
      { metadata: { a: { '\udbff': true } } },
      'metadata.a["\\udbff"]',
      'unpaired surrogate',
    ],
  ]),
  // Numbers beyond float range, as the client's JSON text says them.
  {
    name: 'data.score 1e400',
    body: `{"events":[{"id":"${randomUUID()}","type":"NpsResponded","customerId":"c-x","occurredAt":"2026-03-01T10:15:00Z","data":{"score":1e400}}]}`,
    raw: true,
    status: 400,
    type: validation,
    issue: { index: 0, path: 'data.score', words: 'too large to store' },
  },
  {
    name: 'metadata 1e400',
    body: `{"events":[{"id":"${randomUUID()}","type":"ContactLogged","customerId":"c-x","occurredAt":"2026-03-01T10:15:00Z","data":{"channel":"call","direction":"outbound"},"metadata":{"n":-1e400}}]}`,
    raw: true,
    status: 400,
    type: validation,
    issue: { index: 0, path: 'metadata.n', words: 'too large to store' },
  },
  {
    name: 'expectedRevision 1e400',
    body: `{"events":[{"id":"${randomUUID()}","type":"ContactLogged","customerId":"c-x","occurredAt":"2026-03-01T10:15:00Z","data":{"channel":"call","direction":"outbound"},"expectedRevision":1e400}]}`,
    raw: true,
    status: 400,
    type: validation,
    issue: { index: 0, path: 'expectedRevision', words: 'too large to store' },
  },
  // One id, one event.
  (() => {
    const twice = contact();
    return {
      name: 'one id with different content twice in a batch',
      body: { events: [twice, contact(), { ...twice, data: { channel: 'email', direction: 'outbound' } }] },
      status: 400,
      type: validation,
      issue: { index: 2, path: 'id', words: `id ${twice.id} is also at index 0 with different content` },
    };
  })(),
  ...(
    [
      ['customerId', { customerId: 'c-other' }],
      ['type', { type: 'ComplimentReceived', data: { channel: 'call' } }],
      ['occurredAt', { occurredAt: '2026-03-01T10:15:00.001Z' }],
      ['actorId', { actorId: 'am-2' }],
      ['no actorId', { actorId: undefined }],
      ['data', { data: { channel: 'call', direction: 'inbound' } }],
      ['metadata', { metadata: { source: 'crm', n: 2 } }],
      ['no metadata', { metadata: undefined }],
    ] as [string, Record<string, unknown>][]
  ).map(
    ([field, change]): BadInput => ({
      name: `the stored id with another ${field}`,
      body: { events: [contact(), { ...stored, ...change }] },
      status: 409,
      type: 'urn:crh:problem:id-conflict',
      detail: `event id(s) ${STORED_ID} already stand for events with other content`,
    }),
  ),
];

describe('bad input to POST /v1/events: 4xx, a precise message, nothing recorded', () => {
  let ingest: IngestServer;
  let database: PlatformTestDatabase;
  let feeder: string;

  beforeAll(async () => {
    database = await openPlatformTestDatabase();
    ingest = await listenIngest(database.store);
    feeder = await ingest.auth.bearer('ingest');
    const seeded = await post({ events: [stored] });
    expect(seeded.status).toBe(200);
  });
  afterAll(async () => {
    await ingest?.close();
    await database?.close();
  });

  const post = (body: unknown, headers: Record<string, string> = {}, raw = false) =>
    fetch(`${ingest.base}/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: feeder, ...headers },
      body: !raw ? JSON.stringify(body) : typeof body === 'string' ? body : new Uint8Array(body as Buffer),
    });
  const logSize = async () =>
    Number((await database.pool.query<{ n: string }>('select count(*) as n from crh.events')).rows[0]!.n);

  it.each(BAD_INPUTS)('$name → $status', async ({ body, raw, headers, status, type, issue, detail }) => {
    const before = await logSize();
    const response = await post(body, headers, raw);
    const problem = (await response.json()) as Problem;
    expect({ status: response.status, type: problem.type }).toEqual({ status, type });
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(problem.status).toBe(status);
    if (issue) {
      expect(problem.errors).toContainEqual({
        ...(issue.index === undefined ? {} : { index: issue.index }),
        path: issue.path,
        message: expect.stringContaining(issue.words),
      });
    }
    if (detail) expect(problem.detail).toContain(detail);
    if (type === 'urn:crh:problem:id-conflict') expect(problem.ids).toEqual([STORED_ID]);
    expect(await logSize()).toBe(before);
  });

  it.each([
    ['/v1/customers/%00/events', 'urn:crh:problem:validation-failed', 'customerId must be 1-128 characters'],
    ['/v1/customers/a%F0%9F/events', 'urn:crh:problem:bad-request', 'not valid percent-encoded UTF-8'],
    ['/v1/events?customerId=a%00b', 'urn:crh:problem:validation-failed', 'problem(s) found'],
    ['/v1/events?types=%00', 'urn:crh:problem:validation-failed', 'problem(s) found'],
    ['/v1/events?from=2026-02-30T00:00:00Z', 'urn:crh:problem:validation-failed', 'problem(s) found'],
    ['/v1/events?limit=1e400', 'urn:crh:problem:validation-failed', 'problem(s) found'],
    ['/v1/events?after=%ED%A0%80', 'urn:crh:problem:validation-failed', 'problem(s) found'],
  ])('GET %s → 400', async (path, type, detail) => {
    const response = await fetch(`${ingest.base}${path}`, {
      headers: { authorization: await ingest.auth.bearer('analyst') },
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const problem = (await response.json()) as Problem;
    expect(problem.type).toBe(type);
    expect(problem.detail).toContain(detail);
  });

  it('still answers the same content again as a duplicate, in any key order or instant notation', async () => {
    const before = await logSize();
    const response = await post({
      events: [
        {
          ...stored,
          occurredAt: '2026-03-01T11:15:00+01:00',
          metadata: { n: 1, source: 'crm' },
          data: { direction: 'outbound', channel: 'call' },
        },
      ],
    });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { results: { status: string }[] }).results).toEqual([
      expect.objectContaining({ id: STORED_ID, status: 'duplicate' }),
    ]);
    expect(await logSize()).toBe(before);
  });

  it('still decodes a good gzip body', async () => {
    const gz = await post(
      gzipSync(JSON.stringify({ events: [contact()] })),
      { 'content-encoding': 'gzip' },
      true,
    );
    expect(gz.status).toBe(200);
  });
});
