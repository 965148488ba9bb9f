import type { ErrorRequestHandler, Response } from 'express';

/** RFC 9457 problem details; `type` URNs are stable so clients can branch on them. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  [extension: string]: unknown;
}

export class ProblemError extends Error {
  readonly problem: Problem;
  constructor(problem: Problem) {
    super(problem.detail ?? problem.title);
    this.problem = problem;
  }
}

export const problemTypes = {
  validation: 'urn:crh:problem:validation-failed',
  malformedJson: 'urn:crh:problem:malformed-json',
  undecodableBody: 'urn:crh:problem:undecodable-body',
  badRequest: 'urn:crh:problem:bad-request',
  tooLarge: 'urn:crh:problem:payload-too-large',
  unsupportedMediaType: 'urn:crh:problem:unsupported-media-type',
  conflict: 'urn:crh:problem:wrong-expected-revision',
  idConflict: 'urn:crh:problem:id-conflict',
  customerErased: 'urn:crh:problem:customer-erased',
  unknownCustomer: 'urn:crh:problem:unknown-customer',
  notFound: 'urn:crh:problem:not-found',
  unauthenticated: 'urn:crh:problem:unauthenticated',
  forbidden: 'urn:crh:problem:forbidden',
  tooManyRequests: 'urn:crh:problem:too-many-requests',
  shuttingDown: 'urn:crh:problem:shutting-down',
  internal: 'urn:crh:problem:internal',
} as const;

export function sendProblem(res: Response, problem: Problem): void {
  res.status(problem.status).type('application/problem+json').send(JSON.stringify(problem));
}

interface BodyParserError {
  type?: string;
  status?: number;
  limit?: number;
  code?: unknown;
  expose?: boolean;
  message?: string;
}

/**
 * The one place errors become HTTP answers. Unknown errors are logged with
 * their stack but answered with a generic 500: nothing internal leaks.
 */
export const problemMiddleware: ErrorRequestHandler = (error: unknown, req, res, _next) => {
  if (error instanceof ProblemError) {
    sendProblem(res, error.problem);
    return;
  }
  const parserError = error as BodyParserError;
  if (parserError.type === 'entity.too.large') {
    sendProblem(res, {
      type: problemTypes.tooLarge,
      title: 'Payload too large',
      status: 413,
      detail: `the request body exceeds the limit of ${parserError.limit} bytes`,
    });
    return;
  }
  if (parserError.type === 'entity.parse.failed') {
    sendProblem(res, {
      type: problemTypes.malformedJson,
      title: 'Malformed JSON',
      status: 400,
      detail: 'the request body is not valid JSON',
    });
    return;
  }
  if (parserError.type === 'encoding.unsupported') {
    sendProblem(res, {
      type: problemTypes.unsupportedMediaType,
      title: 'Unsupported media type',
      status: 415,
      detail: `${parserError.message}; send the body as identity, gzip, deflate, br or zstd`,
    });
    return;
  }
  if (parserError.type === 'charset.unsupported') {
    sendProblem(res, {
      type: problemTypes.unsupportedMediaType,
      title: 'Unsupported media type',
      status: 415,
      detail: `${parserError.message}; send UTF-8 JSON`,
    });
    return;
  }
  // zlib and brotli failures come from body-parser as a bare 400 with the decoder's code.
  if (parserError.status === 400 && parserError.type === undefined && typeof parserError.code === 'string') {
    sendProblem(res, {
      type: problemTypes.undecodableBody,
      title: 'Undecodable body',
      status: 400,
      detail: `the request body is not valid ${String(req.headers['content-encoding'] ?? '')} data (${parserError.message}); nothing was recorded`,
    });
    return;
  }
  // The router could not percent-decode a path parameter (e.g. half a UTF-8 sequence).
  if (error instanceof URIError && parserError.status === 400) {
    sendProblem(res, {
      type: problemTypes.badRequest,
      title: 'Bad request',
      status: 400,
      detail: 'the path is not valid percent-encoded UTF-8',
    });
    return;
  }
  // Any other client error of the body reader (aborted, wrong length): its own status, never a 500.
  if (
    parserError.expose === true &&
    typeof parserError.status === 'number' &&
    parserError.status >= 400 &&
    parserError.status < 500
  ) {
    sendProblem(res, {
      type: problemTypes.badRequest,
      title: 'Bad request',
      status: parserError.status,
      detail: String(parserError.message),
    });
    return;
  }
  req.log?.error({ err: error }, 'unhandled error');
  sendProblem(res, { type: problemTypes.internal, title: 'Internal server error', status: 500 });
};
