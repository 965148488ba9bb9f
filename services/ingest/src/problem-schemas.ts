import { CUSTOMER_ID_PATTERN } from '@crh/domain';
import { z } from 'zod';
import { problemTypes } from './problem-details.ts';

type ProblemType = (typeof problemTypes)[keyof typeof problemTypes];

/** An RFC 9457 problem of one `type`; `type` is what clients branch on, `title` and `detail` are for people. */
const problem = <const S extends z.ZodRawShape>(
  id: string,
  type: ProblemType,
  status: number,
  description: string,
  extensions: S,
) =>
  z
    .object({
      type: z.literal(type),
      title: z.string(),
      status: z.literal(status),
      detail: z.string(),
      ...extensions,
    })
    .meta({ id, description });

export const invalidEventsProblem = problem(
  'InvalidEventsProblem',
  problemTypes.validation,
  400,
  'Some envelopes (or the batch itself) are invalid: every problem is listed, and nothing was recorded.',
  {
    errors: z.array(
      z.object({
        index: z
          .int()
          .min(0)
          .optional()
          .meta({ description: "The envelope's index in events; absent for the batch." }),
        path: z
          .string()
          .meta({ description: 'Where inside the envelope, e.g. data.score; events for the batch.' }),
        message: z.string(),
      }),
    ),
  },
);

export const malformedJsonProblem = problem(
  'MalformedJsonProblem',
  problemTypes.malformedJson,
  400,
  'The body is not JSON.',
  {},
);

export const invalidCustomerIdProblem = problem(
  'InvalidCustomerIdProblem',
  problemTypes.validation,
  400,
  `The customer id does not match ${CUSTOMER_ID_PATTERN.source}.`,
  {},
);

export const invalidReplayParametersProblem = problem(
  'InvalidReplayParametersProblem',
  problemTypes.validation,
  400,
  'Some query parameters are invalid or unknown: every problem is listed, and nothing was streamed.',
  {
    errors: z.array(z.object({ parameter: z.string(), message: z.string() })),
  },
);

export const wrongExpectedRevisionProblem = problem(
  'WrongExpectedRevisionProblem',
  problemTypes.conflict,
  409,
  "An envelope's expectedRevision did not hold: nothing of the batch was recorded.",
  {
    customerId: z.string(),
    expectedRevision: z.int(),
    actualRevision: z.int().meta({ description: "The stream's revision (-1: no stream yet)." }),
  },
);

export const idConflictProblem = problem(
  'IdConflictProblem',
  problemTypes.idConflict,
  409,
  'An event id is already recorded with other content (type, customerId, occurredAt, actorId, data or metadata): an id is re-sent only with the same event. Nothing of the batch was recorded.',
  {
    ids: z.array(z.string()).meta({ description: 'The conflicting ids, sorted.' }),
  },
);

export const customerErasedProblem = problem(
  'CustomerErasedProblem',
  problemTypes.customerErased,
  409,
  'The batch holds personal fields (or metadata) for a customer whose personal data was erased: such events are taken only without them (docs/erasure.md). Nothing of the batch was recorded.',
  {
    customerIds: z.array(z.string()).meta({ description: 'The erased customers the batch named.' }),
  },
);

export const invalidErasureProblem = problem(
  'InvalidErasureProblem',
  problemTypes.validation,
  400,
  'The customer id is invalid, or the body is not {"reason": "..."} with a reason of 1 to 1,000 characters. Nothing was erased.',
  {},
);

export const invalidKeyRequestProblem = problem(
  'InvalidKeyRequestProblem',
  problemTypes.validation,
  400,
  'The body is not {"customerIds": [...]} with 1 to 1,000 customer ids.',
  {},
);

export const unknownCustomerProblem = problem(
  'UnknownCustomerProblem',
  problemTypes.unknownCustomer,
  404,
  'The log holds no event of this customer: there is nothing to erase, and nothing was recorded.',
  { customerId: z.string() },
);

export const undecodableBodyProblem = problem(
  'UndecodableBodyProblem',
  problemTypes.undecodableBody,
  400,
  'The body is not valid data of its Content-Encoding (gzip, deflate, br or zstd).',
  {},
);

export const payloadTooLargeProblem = problem(
  'PayloadTooLargeProblem',
  problemTypes.tooLarge,
  413,
  'The body is larger than the ingest accepts (INGEST_BODY_LIMIT, 8 MB by default).',
  {},
);

export const unsupportedMediaTypeProblem = problem(
  'UnsupportedMediaTypeProblem',
  problemTypes.unsupportedMediaType,
  415,
  'The body is not application/json (or application/*+json), not in UTF-8, or in a Content-Encoding other than identity, gzip, deflate, br or zstd.',
  {},
);

export const notFoundProblem = problem(
  'NotFoundProblem',
  problemTypes.notFound,
  404,
  'No route for this method and path.',
  {},
);

export const unauthenticatedProblem = problem(
  'UnauthenticatedProblem',
  problemTypes.unauthenticated,
  401,
  'No bearer token, or one that is malformed, expired, wrongly signed or sent in the query string; `detail` says which. The answer carries `WWW-Authenticate: Bearer realm="crh"`.',
  {},
);

export const forbiddenProblem = problem(
  'ForbiddenProblem',
  problemTypes.forbidden,
  403,
  'A valid token whose roles do not grant this route; `detail` names the permission and the roles that have it.',
  {},
);

export const shuttingDownProblem = problem(
  'ShuttingDownProblem',
  problemTypes.shuttingDown,
  503,
  'This ingest is shutting down (SIGTERM): a request that reached it after that is refused, nothing of it stored; send it again (another instance, or this one restarted, takes it). The answer carries `Retry-After: 1` and `Connection: close`.',
  {},
);

export const tooManyRequestsProblem = problem(
  'TooManyRequestsProblem',
  problemTypes.tooManyRequests,
  429,
  "Over the rate limit of the token's subject for this kind of route; retry after the `Retry-After` header's seconds.",
  {},
);

export const internalProblem = z
  .object({ type: z.literal(problemTypes.internal), title: z.string(), status: z.literal(500) })
  .meta({
    id: 'InternalProblem',
    description: 'Something failed inside; the log has it, the answer says nothing more.',
  });
