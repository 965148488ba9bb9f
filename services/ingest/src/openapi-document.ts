import { envSchema } from '@crh/config';
import {
  customerIdSchema,
  ingestRequestSchema,
  keptInstantSchema,
  MAX_EVENTS_PER_REQUEST,
} from '@crh/domain';
import {
  POSITION_PATTERN,
  positionSchema,
  revisionSchema,
  storedEnvelopeSchema,
  storedEventIdSchema,
} from '@crh/event-store';
import { z } from 'zod';
import { createDocument, type ZodOpenApiResponseObject } from 'zod-openapi';
import packageJson from '../package.json' with { type: 'json' };
import { customerKeysRequestSchema } from './customer-keys-routes.ts';
import { erasureRequestSchema } from './erasure-routes.ts';
import {
  customerErasedProblem,
  forbiddenProblem,
  idConflictProblem,
  internalProblem,
  invalidCustomerIdProblem,
  invalidErasureProblem,
  invalidEventsProblem,
  invalidKeyRequestProblem,
  invalidReplayParametersProblem,
  malformedJsonProblem,
  notFoundProblem,
  payloadTooLargeProblem,
  shuttingDownProblem,
  tooManyRequestsProblem,
  unauthenticatedProblem,
  undecodableBodyProblem,
  unknownCustomerProblem,
  unsupportedMediaTypeProblem,
  wrongExpectedRevisionProblem,
} from './problem-schemas.ts';
import { replayQuerySchema } from './replay-query-schema.ts';

const problemResponse = (description: string, schema: z.ZodType): ZodOpenApiResponseObject => ({
  description,
  content: { 'application/problem+json': { schema } },
});

const internal = problemResponse('An internal error; nothing internal is in the answer.', internalProblem);

// The refusals of access control, each one component every guarded operation refers to.
const unauthenticated: ZodOpenApiResponseObject = {
  ...problemResponse(
    'No valid bearer token: none, malformed, expired, wrongly signed, or one in the query string.',
    unauthenticatedProblem,
  ),
  headers: z.object({
    'WWW-Authenticate': z
      .literal('Bearer realm="crh"')
      .meta({ header: { description: 'The scheme to authenticate with.' } }),
  }),
  id: 'Unauthenticated',
};
const forbidden: ZodOpenApiResponseObject = {
  ...problemResponse('A valid token without a role that may use this operation.', forbiddenProblem),
  id: 'Forbidden',
};
const tooManyRequests: ZodOpenApiResponseObject = {
  ...problemResponse(
    "Over the rate limit of the token's subject for this kind of operation.",
    tooManyRequestsProblem,
  ),
  headers: z.object({
    'Retry-After': z
      .string()
      .regex(/^[1-9][0-9]*$/)
      .meta({ header: { description: 'Seconds until a request of this kind is accepted again.' } }),
  }),
  id: 'TooManyRequests',
};
// Any route while the process drains (SIGTERM): docs/operations.md, Shutdown.
const shuttingDown: ZodOpenApiResponseObject = {
  ...problemResponse('Shutting down: nothing of the request was stored; send it again.', shuttingDownProblem),
  headers: z.object({
    'Retry-After': z.literal('1').meta({ header: { description: 'Send it again after a second.' } }),
    Connection: z.literal('close').meta({ header: { description: 'The connection ends with this answer.' } }),
  }),
  id: 'ShuttingDown',
};
/** The answers of an operation that needs a token with a permission. */
const guarded = {
  '401': unauthenticated,
  '403': forbidden,
  '429': tooManyRequests,
  '503': shuttingDown,
} as const;

const appendResultsSchema = z
  .object({
    results: z.array(
      z.object({
        id: storedEventIdSchema,
        status: z.enum(['recorded', 'duplicate']).meta({
          description:
            'duplicate: this very event (same id and content) was recorded before; nothing new was recorded.',
        }),
        position: positionSchema,
        revision: revisionSchema,
      }),
    ),
  })
  .meta({ id: 'AppendResults', description: 'One result per envelope, in request order.' });

const replayCountSchema = z
  .object({
    events: z.int().min(0).meta({ description: 'How many events the same replay would stream.' }),
    upTo: positionSchema.nullable().meta({
      description: 'Where the replay would end (the head when not asked lower); null for an empty log.',
    }),
  })
  .meta({ id: 'ReplayCount' });

const replayParameterProblems = problemResponse(
  'Invalid or unknown query parameters, each listed.',
  invalidReplayParametersProblem,
);

// The defaults, never the environment: the document must not depend on where it is built.
const defaultPort = envSchema.shape.INGEST_PORT.parse(undefined);

const description = `The ingest service's HTTP API: record events, read a customer's stream, replay the log.

Every answer carries an \`x-request-id\` header: the request's own when it sent one of at most 128 characters, otherwise a new UUID.
Every error is \`application/problem+json\` (RFC 9457) with a stable \`type\` URN (\`urn:crh:problem:*\`) to branch on; no error shows internals.

Every request but \`GET /healthz\` and \`GET /readyz\` carries \`Authorization: Bearer <jwt>\`, a token of the organisation's identity provider or of the platform's local key (\`npm run crh -- token --role analyst\`). Without a valid one the answer is 401 with \`WWW-Authenticate: Bearer realm="crh"\`, before anything else is looked at (a body is not read); a token in the query string (\`access_token\`) is refused the same way. A valid token whose roles do not grant the operation gets 403; each operation names the roles that may use it. Requests are counted per token subject: the replay API against CRH_REPLAY_RATE_LIMIT (120/min), recording events against CRH_INGEST_RATE_LIMIT (6000/min), everything else against CRH_RATE_LIMIT (1200/min); over it, 429 with \`Retry-After\`.
A method and path not listed here is answered 404 with \`urn:crh:problem:not-found\` (to a caller with a valid token; without one, 401).`;

/**
 * The OpenAPI 3.1 document of the ingest service, from the same zod
 * schemas that validate its requests. Deterministic: no dates, no host.
 */
export function openApiDocument(): ReturnType<typeof createDocument> {
  return createDocument({
    openapi: '3.1.0',
    info: { title: 'crh ingest and replay API', version: packageJson.version, description },
    servers: [
      { url: `http://localhost:${defaultPort}`, description: 'npm start on this machine (INGEST_PORT)' },
    ],
    // Every operation needs a token unless it says otherwise (the probes).
    security: [{ bearer: [] }],
    tags: [
      { name: 'events', description: 'Record events; read one customer’s stream.' },
      { name: 'replay', description: 'The whole log, in order, for data teams.' },
      { name: 'erasure', description: "Erase a customer's personal data (docs/erasure.md)." },
      { name: 'operations', description: 'Health, readiness, metrics and this document.' },
    ],
    paths: {
      '/v1/events': {
        post: {
          operationId: 'recordEvents',
          tags: ['events'],
          summary: `Record 1 to ${MAX_EVENTS_PER_REQUEST} events`,
          description:
            'The body is JSON (application/json or any application/*+json). Every envelope is validated first; when any is invalid nothing is recorded. Otherwise each customer’s events are appended to its stream atomically, and 200 means they are durable. An id recorded before with the same content (JSON compared structurally, instants as instants) is answered `duplicate` and not recorded again; with other content the batch is refused (409 `urn:crh:problem:id-conflict`). Text the store cannot keep exactly (NUL, unpaired surrogates) is refused (400), never changed.\n\nRoles: `ingest`, `admin`. Rate limit: CRH_INGEST_RATE_LIMIT per token subject. The token, its role and the rate limit are checked before the body is read.',
          requestBody: {
            required: true,
            content: { 'application/json': { schema: ingestRequestSchema } },
          },
          responses: {
            '200': {
              description: 'Recorded (or found recorded before).',
              content: { 'application/json': { schema: appendResultsSchema } },
            },
            '400': problemResponse(
              'The batch is invalid (every problem listed: text with NUL or unpaired surrogates, numbers JSON cannot keep, one id with two contents in the batch, ...), the body is not JSON, or it does not decode as its Content-Encoding says.',
              z.discriminatedUnion('type', [
                invalidEventsProblem,
                malformedJsonProblem,
                undecodableBodyProblem,
              ]),
            ),
            '409': problemResponse(
              'An expectedRevision did not hold, an id is already recorded with other content, or personal data was sent for a customer whose personal data was erased.',
              z.discriminatedUnion('type', [
                wrongExpectedRevisionProblem,
                idConflictProblem,
                customerErasedProblem,
              ]),
            ),
            '413': problemResponse('The body is too large.', payloadTooLargeProblem),
            '415': problemResponse(
              'Not JSON, not UTF-8, or an unsupported Content-Encoding.',
              unsupportedMediaTypeProblem,
            ),
            ...guarded,
            '500': internal,
          },
        },
        get: {
          operationId: 'replayEvents',
          tags: ['replay'],
          summary: 'Replay the log as NDJSON',
          description:
            'Stored envelopes, one JSON object a line, in global log order, from the start (or after `after`) up to the head as it is when the request starts (or `upTo`, when lower), filtered. The `crh-up-to` header names that end, so a client that is cut off resumes with `after` = the last position it read and the same `upTo`. Lines are written as they are read: memory stays flat for any size. Should reading fail after lines went out, the connection is cut and the chunked body is left unfinished, so a client never takes a partial replay for a whole one.\n\nRoles: `analyst`, `admin`. Rate limit: CRH_REPLAY_RATE_LIMIT per token subject.',
          requestParams: { query: replayQuerySchema },
          responses: {
            '200': {
              description: 'The events, one stored envelope per line (the schema is that of one line).',
              headers: z.object({
                // Inline, not the Position component: zod-openapi would copy this meta into a $ref.
                'crh-up-to': z
                  .string()
                  .regex(POSITION_PATTERN)
                  .optional()
                  .meta({
                    header: {
                      description:
                        'Where this replay ends (inclusive); absent when the log is empty (the body is too).',
                    },
                  }),
              }),
              content: { 'application/x-ndjson': { schema: storedEnvelopeSchema } },
            },
            '400': replayParameterProblems,
            ...guarded,
            '500': internal,
          },
        },
      },
      '/v1/events/count': {
        get: {
          operationId: 'countReplayEvents',
          tags: ['replay'],
          summary: 'How many events a replay with these parameters gives',
          description:
            'For progress and ETA: the same parameters and the same end as GET /v1/events.\n\nRoles: `analyst`, `admin`. Rate limit: CRH_REPLAY_RATE_LIMIT per token subject (with the replays).',
          requestParams: { query: replayQuerySchema },
          responses: {
            '200': {
              description: 'The count and where the replay would end.',
              content: { 'application/json': { schema: replayCountSchema } },
            },
            '400': replayParameterProblems,
            ...guarded,
            '500': internal,
          },
        },
      },
      '/v1/customers/{customerId}/events': {
        get: {
          operationId: 'readCustomerStream',
          tags: ['events'],
          summary: 'One customer’s stream, in revision order',
          description:
            'Every stored event of the customer; an unknown customer has an empty stream.\n\nRoles: `analyst`, `admin`. Rate limit: CRH_RATE_LIMIT per token subject.',
          requestParams: { path: z.object({ customerId: customerIdSchema }) },
          responses: {
            '200': {
              description: 'The stream.',
              content: {
                'application/json': {
                  schema: z
                    .object({ customerId: customerIdSchema, events: z.array(storedEnvelopeSchema) })
                    .meta({ id: 'CustomerStream' }),
                },
              },
            },
            '400': problemResponse('The customer id is invalid.', invalidCustomerIdProblem),
            ...guarded,
            '500': internal,
          },
        },
      },
      '/v1/customers/{customerId}/erasure': {
        post: {
          operationId: 'eraseCustomer',
          tags: ['erasure'],
          summary: 'Erase a customer’s personal data (GDPR article 17)',
          description:
            "Destroys the customer's data key, so every personal field of its events (in the log, its copies and backups, and the Kafka topic) opens no more, and records a `CustomerDataErased` event in its stream. From then on every read gives those fields as null and the event as `\"erased\": true`, the read models drop the customer's personal text, and new personal data for the customer is refused (409 customer-erased). Counts, statuses and KPIs stay as they were. Idempotent: a repeat answers the first erasure's time and position and records nothing new. Every request is written to the audit trail (who, when, why). docs/erasure.md.\n\nRoles: `admin`. Rate limit: CRH_INGEST_RATE_LIMIT per token subject.",
          requestParams: { path: z.object({ customerId: customerIdSchema }) },
          requestBody: {
            required: false,
            content: {
              'application/json': {
                schema: erasureRequestSchema,
              },
            },
          },
          responses: {
            '200': {
              description: 'Erased (now, or before: the same answer).',
              content: {
                'application/json': {
                  schema: z
                    .strictObject({
                      customerId: customerIdSchema,
                      erasedAt: keptInstantSchema.meta({
                        description: "When the customer's key was destroyed (the first erasure's time).",
                      }),
                      position: positionSchema,
                    })
                    .meta({ id: 'Erasure' }),
                },
              },
            },
            '400': problemResponse(
              'The customer id or the body is invalid.',
              z.discriminatedUnion('type', [invalidErasureProblem, malformedJsonProblem]),
            ),
            '404': problemResponse('The customer has no events.', unknownCustomerProblem),
            '413': problemResponse('A body larger than 16 kB.', payloadTooLargeProblem),
            '415': problemResponse('A body that is not JSON.', unsupportedMediaTypeProblem),
            ...guarded,
            '500': internal,
          },
        },
      },
      '/v1/customer-keys': {
        post: {
          operationId: 'customerKeys',
          tags: ['erasure'],
          summary: 'Customers’ data keys, to open the sealed fields of the Kafka topic',
          description: `The topic carries personal fields sealed with each customer's data key (docs/erasure.md). A data team opens them with these keys (createSealedEnvelopeReader does, with customerKeysFromApi). An erased customer answers \`erased\`, one with nothing sealed answers neither a key nor \`erased\`. Keep a key no longer than \`cacheSeconds\` (CRH_KEY_CACHE_TTL_MS): that is how soon an erasure reaches a reader. Every request is logged with who asked for which customers.\n\nRoles: \`analyst\`, \`admin\`. Rate limit: CRH_REPLAY_RATE_LIMIT per token subject.`,
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: customerKeysRequestSchema,
              },
            },
          },
          responses: {
            '200': {
              description: 'One answer per customer asked, in the order asked (repeats once).',
              content: {
                'application/json': {
                  schema: z
                    .strictObject({
                      keys: z.array(
                        z.strictObject({
                          customerId: customerIdSchema,
                          key: z
                            .string()
                            .regex(/^[A-Za-z0-9_-]{43}$/)
                            .optional()
                            .meta({ description: 'base64url of the 32-byte data key.' }),
                          erased: z
                            .literal(true)
                            .optional()
                            .meta({ description: "The customer's personal data was erased: no key." }),
                        }),
                      ),
                      cacheSeconds: z
                        .int()
                        .min(1)
                        .meta({ description: 'How long a reader may keep these keys before asking again.' }),
                    })
                    .meta({ id: 'CustomerKeys' }),
                },
              },
            },
            '400': problemResponse(
              'The body is not {"customerIds": [...]} with 1 to 1,000 valid customer ids.',
              z.discriminatedUnion('type', [invalidKeyRequestProblem, malformedJsonProblem]),
            ),
            '413': problemResponse('A body larger than 256 kB.', payloadTooLargeProblem),
            ...guarded,
            '500': internal,
          },
        },
      },
      '/healthz': {
        get: {
          operationId: 'health',
          tags: ['operations'],
          summary: 'Liveness: the process answers',
          description: 'Needs no token (probes carry none).',
          security: [],
          responses: {
            '200': {
              description: 'Alive.',
              content: { 'application/json': { schema: z.object({ status: z.literal('ok') }) } },
            },
            '503': shuttingDown,
          },
        },
      },
      '/readyz': {
        get: {
          operationId: 'readiness',
          tags: ['operations'],
          summary: 'Readiness: the event store takes appends',
          description: 'Needs no token (probes carry none).',
          security: [],
          responses: {
            '200': {
              description: 'Ready.',
              content: { 'application/json': { schema: z.object({ ready: z.literal(true) }) } },
            },
            '503': {
              description: 'Not ready: the event store does not answer, or the process is shutting down.',
              content: {
                'application/json': { schema: z.object({ ready: z.literal(false) }) },
                'application/problem+json': { schema: shuttingDownProblem },
              },
            },
          },
        },
      },
      '/metrics': {
        get: {
          operationId: 'metrics',
          tags: ['operations'],
          summary: 'Prometheus metrics',
          description:
            'Roles: `monitoring`, `admin` (a scraper sends a `monitoring` token, e.g. Prometheus `authorization: { credentials_file: ... }`). Rate limit: CRH_RATE_LIMIT per token subject.',
          responses: {
            '200': {
              description: 'The Prometheus text exposition format.',
              content: { 'text/plain': { schema: z.string() } },
            },
            ...guarded,
          },
        },
      },
      '/openapi.json': {
        get: {
          operationId: 'openApiDocument',
          tags: ['operations'],
          summary: 'This document',
          description: 'Any valid token, whatever its roles. Rate limit: CRH_RATE_LIMIT per token subject.',
          responses: {
            '200': {
              description: 'The OpenAPI 3.1 document of this API.',
              content: { 'application/json': { schema: z.record(z.string(), z.unknown()) } },
            },
            '401': unauthenticated,
            '429': tooManyRequests,
          },
        },
      },
    },
    components: {
      responses: { NotFound: problemResponse('No route for this method and path.', notFoundProblem) },
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description:
            'A JWT signed with ES256, RS256 or EdDSA, verified against the key set of CRH_AUTH_JWKS_URL (else the local key), with iss = CRH_AUTH_ISSUER, aud containing CRH_AUTH_AUDIENCE, and the roles in the claim CRH_AUTH_ROLES_CLAIM (roles: account-manager, lead, analyst, ingest, admin).',
        },
      },
    },
  });
}
