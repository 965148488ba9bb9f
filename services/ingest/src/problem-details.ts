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
  tooLarge: 'urn:crh:problem:payload-too-large',
  unsupportedMediaType: 'urn:crh:problem:unsupported-media-type',
  conflict: 'urn:crh:problem:wrong-expected-revision',
  notFound: 'urn:crh:problem:not-found',
  unauthenticated: 'urn:crh:problem:unauthenticated',
  forbidden: 'urn:crh:problem:forbidden',
  tooManyRequests: 'urn:crh:problem:too-many-requests',
  internal: 'urn:crh:problem:internal',
} as const;

export function sendProblem(res: Response, problem: Problem): void {
  res.status(problem.status).type('application/problem+json').send(JSON.stringify(problem));
}

interface BodyParserError {
  type?: string;
  status?: number;
  limit?: number;
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
  if (parserError.type === 'encoding.unsupported' || parserError.type === 'charset.unsupported') {
    sendProblem(res, {
      type: problemTypes.unsupportedMediaType,
      title: 'Unsupported media type',
      status: 415,
      detail: 'send UTF-8 JSON',
    });
    return;
  }
  req.log?.error({ err: error }, 'unhandled error');
  sendProblem(res, { type: problemTypes.internal, title: 'Internal server error', status: 500 });
};
