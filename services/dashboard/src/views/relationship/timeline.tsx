import { useClient } from '@urql/preact';
import { useEffect, useState } from 'preact/hooks';
import { Empty, Failed, Loading } from '../../components/states.tsx';
import { formatTime } from '../../day.ts';
import { graphql, type ResultOf } from '../../graphql/graphql.ts';
import { onRefresh } from '../../graphql/live-query.ts';

const TimelinePage = graphql(`
  query TimelinePage($customerId: ID!, $after: String) {
    relationship(customerId: $customerId) {
      customerId
      timeline(first: 20, after: $after) {
        pageInfo {
          endCursor
          hasNextPage
        }
        edges {
          node {
            id
            type
            occurredAt
            actorId
            data
          }
        }
      }
    }
  }
`);

type Event = NonNullable<ResultOf<typeof TimelinePage>['relationship']>['timeline']['edges'][number]['node'];

/** A few words on what an event says, from the fields people look for. */
function gist(event: Event): string {
  const data = (event.data ?? {}) as Record<string, unknown>;
  const parts = ['channel', 'direction', 'summary', 'description', 'score', 'category', 'reason']
    .map((k) => data[k])
    .filter((v) => typeof v === 'string' || typeof v === 'number');
  return parts.join(' · ');
}

const words = (type: string) => type.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();

/** The customer's events, newest first, 20 at a time. */
export function Timeline({ customerId }: { customerId: string }) {
  const client = useClient();
  const [events, setEvents] = useState<Event[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const load = async (after: string | null) => {
    const result = await client
      .query(TimelinePage, { customerId, after }, { requestPolicy: 'network-only' })
      .toPromise();
    if (result.error || !result.data?.relationship) {
      setError(result.error ?? new Error('the relationship is not in your book'));
      return;
    }
    const page = result.data.relationship.timeline;
    setError(null);
    setEvents((old) => [...(after ? (old ?? []) : []), ...page.edges.map((e) => e.node)]);
    setNext(page.pageInfo.hasNextPage ? (page.pageInfo.endCursor ?? null) : null);
  };
  useEffect(() => {
    void load(null);
    return onRefresh(() => void load(null));
  }, [customerId]);
  return (
    <section class="card" aria-labelledby="timeline-head">
      <h2 id="timeline-head">Timeline</h2>
      {error && <Failed what="the timeline" error={error} retry={() => void load(null)} />}
      {!events && !error && <Loading what="the timeline" />}
      {events?.length === 0 && <Empty>No events recorded for this customer.</Empty>}
      {events && events.length > 0 && (
        <ol class="timeline">
          {events.map((e) => (
            <li key={e.id} data-type={e.type}>
              <time dateTime={e.occurredAt}>{formatTime(e.occurredAt)}</time>
              <span class="event-type">{words(e.type)}</span>
              <span class="gist">{gist(e)}</span>
              {e.actorId && <span class="actor">by {e.actorId}</span>}
            </li>
          ))}
        </ol>
      )}
      {next && (
        <button type="button" onClick={() => void load(next)}>
          Show older events
        </button>
      )}
    </section>
  );
}
