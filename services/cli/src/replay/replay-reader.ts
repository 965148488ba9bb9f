/**
 * The replay API's filters as the command line gives them (strings, checked
 * by the server), in the API's parameter names.
 */
export interface ReplayQuery {
  after?: string;
  upTo?: string;
  from?: string;
  to?: string;
  types?: string;
  customerId?: string;
  limit?: string;
}

/** The server refused the query (400): its problem's `errors`, one line each. */
export class ReplayQueryError extends Error {
  readonly errors: string[];
  constructor(message: string, errors: string[]) {
    super(message);
    this.name = 'ReplayQueryError';
    this.errors = errors;
  }
}

/** Ingest refused the token: 401 (none, invalid or expired) or 403 (no role that may replay). */
export class IngestRefusedError extends Error {
  readonly status: 401 | 403;
  /** The problem's detail: why, in the server's words (never the token). */
  readonly detail: string;
  constructor(status: 401 | 403, detail: string) {
    super(`ingest refused the token (${status}: ${detail})`);
    this.name = 'IngestRefusedError';
    this.status = status;
    this.detail = detail;
  }
}

/** Where to read the replay: the ingest base URL and the Authorization header to send (null: none). */
export interface ReplaySource {
  base: string;
  authorization: string | null;
}

/** Nothing answered at the base URL. */
export class IngestUnreachableError extends Error {
  constructor(base: string, cause: unknown) {
    // fetch says only "fetch failed"; why is in its cause (ECONNREFUSED, ENOTFOUND, bad port ...).
    const why = (cause as { cause?: { code?: string; message?: string } }).cause;
    const reason = why?.code ?? why?.message ?? (cause as Error).message;
    super(`cannot reach ingest at ${base} (${reason}); is it running? (--url or INGEST_PORT)`);
    this.name = 'IngestUnreachableError';
  }
}

export function replayUrl(base: string, path: string, query: ReplayQuery): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) if (value !== undefined) params.set(name, value);
  const search = params.toString();
  return `${base.replace(/\/+$/, '')}${path}${search ? `?${search}` : ''}`;
}

async function request(source: ReplaySource, url: string, signal?: AbortSignal): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(url, {
      signal,
      headers: source.authorization ? { authorization: source.authorization } : {},
    });
  } catch (error) {
    if (signal?.aborted) throw error;
    throw new IngestUnreachableError(source.base, error);
  }
  if (response.ok) return response;
  const text = await response.text().catch(() => '');
  if (response.status === 401 || response.status === 403) {
    let detail = response.statusText;
    try {
      detail = (JSON.parse(text) as { detail?: string }).detail ?? detail;
    } catch {}
    throw new IngestRefusedError(response.status as 401 | 403, detail);
  }
  if (response.status === 400) {
    let problem: { title?: string; errors?: { parameter?: string; message?: string }[] } = {};
    try {
      problem = JSON.parse(text);
    } catch {}
    const errors = (problem.errors ?? []).map((e) => `${e.parameter ?? 'query'}: ${e.message ?? ''}`);
    throw new ReplayQueryError(problem.title ?? 'the server refused the replay parameters', errors);
  }
  throw new Error(`ingest answered ${response.status} to ${url}: ${text.slice(0, 500)}`);
}

/** `GET /v1/events/count`: how many events the query gives, and the end position it counted to. */
export async function countReplay(
  source: ReplaySource,
  query: ReplayQuery,
): Promise<{ events: number; upTo: string | null }> {
  const response = await request(source, replayUrl(source.base, '/v1/events/count', query));
  return (await response.json()) as { events: number; upTo: string | null };
}

/**
 * `GET /v1/events` as batches of whole lines (without their newlines), in
 * the order received. The body is read only when the consumer asks for the
 * next batch: while it writes, the response waits in the socket, the server
 * sees a full socket and stops reading the log. Memory holds one batch and
 * one chunk's worth of lines, whatever the replay's size.
 */
export async function* replayBatches(
  source: ReplaySource,
  query: ReplayQuery,
  options: { batchLines: number; signal?: AbortSignal },
): AsyncGenerator<string[]> {
  const url = replayUrl(source.base, '/v1/events', query);
  const response = await request(source, url, options.signal);
  if (!response.body) return;
  const reader = response.body.getReader();
  // fatal: a byte that is not UTF-8 fails the replay instead of being
  // written out changed.
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let tail = '';
  let batch: string[] = [];
  try {
    for (;;) {
      let chunk: Awaited<ReturnType<typeof reader.read>>;
      try {
        chunk = await reader.read();
      } catch (error) {
        if (options.signal?.aborted) throw error;
        throw new Error(`the replay stream broke off: ${(error as Error).message}`, { cause: error });
      }
      if (chunk.done) break;
      const lines = (tail + decoder.decode(chunk.value, { stream: true })).split('\n');
      tail = lines.pop()!;
      for (const line of lines) {
        batch.push(line);
        if (batch.length >= options.batchLines) {
          yield batch;
          batch = [];
        }
      }
    }
    tail += decoder.decode();
    if (batch.length > 0) yield batch;
    // The server cuts the connection when the log fails mid-stream (headers
    // are out by then); a line without its newline is how that shows.
    if (tail !== '') throw new Error('the replay stream ended inside a line: the server cut it short');
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}
