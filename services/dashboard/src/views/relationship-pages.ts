import { useClient } from '@urql/preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { graphql, type ResultOf } from '../graphql/graphql.ts';
import { onRefresh } from '../graphql/live-query.ts';

export const RelationshipPage = graphql(`
  query RelationshipPage(
    $accountManagerId: ID
    $status: [RelationshipStatus!]
    $after: String
    $first: Int!
    $withTotal: Boolean!
  ) {
    relationships(accountManagerId: $accountManagerId, status: $status, after: $after, first: $first) {
      totalCount @include(if: $withTotal)
      pageInfo {
        endCursor
        hasNextPage
      }
      edges {
        node {
          customerId
          name
          tier
          status
          daysSinceContact
          lastContactAt
          accountManagerId
          openPromises
          openComplaints
        }
      }
    }
  }
`);

export type RelationshipRow = ResultOf<typeof RelationshipPage>['relationships']['edges'][number]['node'];

export interface Pages {
  rows: RelationshipRow[];
  total: number | null;
  error: Error | null;
  loadMore: () => void;
}

/**
 * A long list of relationships, loaded a page at a time as it scrolls, and
 * loaded again from the top when the lists change (a logged contact, a live
 * status change): cursor pages stay consistent within one load. The total
 * is asked with the first page only: counting the whole organisation's
 * Neglected list costs more than a page of it (40,000 rows of the 100k
 * book), and scrolling to the end asks hundreds of pages.
 */
export function useRelationshipPages(
  filter: { accountManagerId: string | null; status: string[] },
  pageSize = 100,
): Pages {
  const client = useClient();
  const [state, setState] = useState<Omit<Pages, 'loadMore'>>({ rows: [], total: null, error: null });
  const cursor = useRef<{ after: string | null; more: boolean; busy: boolean; run: number }>({
    after: null,
    more: true,
    busy: false,
    run: 0,
  });
  const key = JSON.stringify(filter);

  const load = async (reset: boolean) => {
    const c = cursor.current;
    if (reset) Object.assign(c, { after: null, more: true, busy: false, run: c.run + 1 });
    if (c.busy || !c.more) return;
    c.busy = true;
    const run = c.run;
    const result = await client
      .query(
        RelationshipPage,
        {
          accountManagerId: filter.accountManagerId,
          status: filter.status as never,
          after: c.after,
          first: pageSize,
          withTotal: reset,
        },
        { requestPolicy: 'network-only' },
      )
      .toPromise();
    if (run !== c.run) return;
    c.busy = false;
    if (result.error || !result.data) {
      setState((s) => ({ ...s, error: result.error ?? new Error('no answer') }));
      return;
    }
    const page = result.data.relationships;
    c.after = page.pageInfo.endCursor ?? null;
    c.more = page.pageInfo.hasNextPage;
    const rows = page.edges.map((e) => e.node);
    setState((s) => ({
      rows: reset ? rows : [...s.rows, ...rows],
      total: reset ? (page.totalCount ?? null) : s.total,
      error: null,
    }));
  };

  useEffect(() => {
    void load(true);
    return onRefresh(() => void load(true));
  }, [key]);

  return { ...state, loadMore: () => void load(false) };
}
