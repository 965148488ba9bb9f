import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

/** One subscription's results as they arrive, with a way to wait for a matching one. */
export interface Subscriber<T> {
  received: T[];
  /** Resolves with the first result (already received or still to come) that matches. */
  next(match: (data: T) => boolean, timeoutMs?: number): Promise<T>;
  close(): void;
}

function collector<T>(): {
  subscriber: Omit<Subscriber<T>, 'close'>;
  push(data: T): void;
  fail(e: Error): void;
} {
  const received: T[] = [];
  const waiters = new Set<{
    match: (d: T) => boolean;
    resolve: (d: T) => void;
    reject: (e: Error) => void;
  }>();
  let failure: Error | null = null;
  return {
    push(data) {
      received.push(data);
      for (const w of waiters)
        if (w.match(data)) {
          waiters.delete(w);
          w.resolve(data);
        }
    },
    fail(error) {
      failure = error;
      for (const w of waiters) w.reject(error);
      waiters.clear();
    },
    subscriber: {
      received,
      next(match, timeoutMs = 15_000) {
        const found = received.find(match);
        if (found !== undefined) return Promise.resolve(found);
        if (failure) return Promise.reject(failure);
        return new Promise<T>((resolve, reject) => {
          const waiter = {
            match,
            resolve: (d: T) => {
              clearTimeout(timer);
              resolve(d);
            },
            reject,
          };
          const timer = setTimeout(() => {
            waiters.delete(waiter);
            reject(
              new Error(`no matching result within ${timeoutMs} ms; received ${JSON.stringify(received)}`),
            );
          }, timeoutMs);
          waiters.add(waiter);
        });
      },
    },
  };
}

/** The data of each event of a text/event-stream body, as the events arrive. */
export async function* sseData(body: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = block
        .split('\n')
        .filter((line) => line.startsWith('data:'))
        .map((line) => line.slice(5).trim())
        .join('\n');
      if (data) yield data;
    }
  }
}

/**
 * GraphQL over SSE (Yoga's distinct-connections mode): resolves once the
 * gateway answered with the event stream, i.e. the subscription is open.
 */
export async function subscribeSse<T = Record<string, unknown>>(
  url: string,
  authorization: string,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<Subscriber<T>> {
  const controller = new AbortController();
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization },
    body: JSON.stringify({ query, variables }),
    signal: controller.signal,
  });
  if (!response.ok || !response.body) throw new Error(`SSE subscribe failed: ${response.status}`);
  const { subscriber, push, fail } = collector<T>();
  const body = response.body;
  void (async () => {
    try {
      for await (const data of sseData(body)) {
        const result = JSON.parse(data) as { data?: T; errors?: unknown };
        if (result.errors) fail(new Error(`subscription error: ${JSON.stringify(result.errors)}`));
        else if (result.data) push(result.data);
      }
    } catch (error) {
      if (!controller.signal.aborted) fail(error as Error);
    }
  })();
  return { ...subscriber, close: () => controller.abort() };
}

/** graphql-ws over a real WebSocket. Resolves once the socket is acknowledged. */
export async function subscribeWs<T = Record<string, unknown>>(
  url: string,
  authorization: string,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<Subscriber<T>> {
  const client = createClient({
    url: url.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    lazy: false,
    connectionParams: { authorization },
  });
  await new Promise<void>((resolve, reject) => {
    client.on('connected', () => resolve());
    client.on('error', (e) => reject(e instanceof Error ? e : new Error('WebSocket error')));
  });
  const { subscriber, push, fail } = collector<T>();
  const unsubscribe = client.subscribe<T>(
    { query, variables },
    {
      next: (result) => {
        if (result.errors) fail(new Error(`subscription error: ${JSON.stringify(result.errors)}`));
        else if (result.data) push(result.data as T);
      },
      error: (e) => fail(e instanceof Error ? e : new Error(JSON.stringify(e))),
      complete: () => {},
    },
  );
  return {
    ...subscriber,
    close: () => {
      unsubscribe();
      void client.dispose();
    },
  };
}
