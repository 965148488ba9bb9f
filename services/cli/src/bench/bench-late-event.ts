import { randomUUID } from 'node:crypto';
import { addDays, endOfDayExclusive } from '@crh/domain';
import { type BookOptions, createRandom } from './book-generator.ts';
import { type Latency, latencyOf } from './latency.ts';

/**
 * A late event, from POST to visible: a contact dated weeks ago is posted to
 * the ingest API, and the gateway is asked for that day until the
 * relationship shows it. Dated at the last millisecond of its day, it is the
 * latest contact that counts for the day whatever else the customer had then.
 */
export async function benchLateEvents(
  ingestUrl: string,
  graphqlUrl: string,
  book: BookOptions,
  timeZone: string,
  samples: number,
  authorization: string,
): Promise<Latency> {
  const random = createRandom(book.seed + 2);
  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    const customerId = `cust-${String(Math.floor(random() * book.customers)).padStart(6, '0')}`;
    const day = addDays(book.endDate, -1 - Math.floor(random() * 60));
    const occurredAt = new Date(endOfDayExclusive(day, timeZone).getTime() - 1).toISOString();
    const started = performance.now();
    const response = await fetch(`${ingestUrl}/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization },
      body: JSON.stringify({
        events: [
          {
            id: randomUUID(),
            type: 'ContactLogged',
            customerId,
            occurredAt,
            data: { channel: 'call', direction: 'outbound', summary: 'bench: late contact' },
          },
        ],
      }),
    });
    if (!response.ok) throw new Error(`ingest answered ${response.status}`);
    for (;;) {
      const answer = await fetch(graphqlUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization },
        body: JSON.stringify({
          query:
            'query ($id: ID!, $day: Date) { relationship(customerId: $id, asOf: $day) { lastContactAt } }',
          variables: { id: customerId, day },
        }),
      });
      const body = (await answer.json()) as { data?: { relationship: { lastContactAt: string } | null } };
      if (body.data?.relationship?.lastContactAt === occurredAt) break;
      if (performance.now() - started > 30_000)
        throw new Error(`late event for ${customerId} not visible in 30 s`);
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    times.push(performance.now() - started);
  }
  return latencyOf('late event: POST to visible in relationship(asOf)', times);
}
