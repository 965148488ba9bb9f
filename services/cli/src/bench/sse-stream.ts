import { type Agent, request } from 'node:http';

/**
 * One GraphQL subscription over SSE on a raw HTTP request (the benches run
 * hundreds at once: no client library per stream). Calls `onData` with each
 * message's data line; resolves with a closer once the stream is open.
 */
export function openSseStream(
  graphql: string,
  agent: Agent,
  authorization: string,
  query: string,
  on: { data: (data: string) => void; ended?: () => void },
): Promise<() => void> {
  return new Promise((resolve, reject) => {
    const req = request(
      graphql,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization },
      },
      (res) => {
        if (res.statusCode !== 200) return reject(new Error(`subscribe answered ${res.statusCode}`));
        res.setEncoding('utf8');
        let buffer = '';
        res.on('data', (chunk: string) => {
          buffer += chunk;
          let end = buffer.indexOf('\n\n');
          while (end >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            end = buffer.indexOf('\n\n');
            if (block.startsWith('event: complete')) continue;
            const data = /^data: (.*)$/m.exec(block)?.[1];
            if (data && data !== '{}') on.data(data);
          }
        });
        res.on('error', () => {});
        if (on.ended) res.on('close', on.ended);
        resolve(() => req.destroy());
      },
    );
    req.on('error', (error) => reject(error));
    req.end(JSON.stringify({ query }));
  });
}
