import { addDays } from '@crh/domain';
import { OUTLIER_METRICS } from '@crh/read-models/queries';
import { type BookOptions, createRandom } from './book-generator.ts';
import { type Latency, latencyOf } from './latency.ts';

interface Sample {
  query: string;
  variables: Record<string, unknown>;
  /** Rows in the answer, for the figures. */
  rows: (data: Record<string, unknown>) => number;
}

const ROW = 'customerId name tier accountManagerId status daysSinceContact lastContactAt';
export const PAGE = `query ($day: Date!, $am: ID, $status: [RelationshipStatus!], $after: String) {
  relationships(asOf: $day, accountManagerId: $am, status: $status, first: 50, after: $after) {
    edges { cursor node { ${ROW} } } pageInfo { hasNextPage endCursor } } }`;
const NEGLECTED = `query ($day: Date!, $am: ID) { neglectedRelationships(date: $day, accountManagerId: $am) { ${ROW} } }`;
const NEGLECTED_PAGE = `query ($day: Date!, $after: ID) {
  neglectedRelationships(date: $day, first: 500, after: $after) { ${ROW} } }`;
/**
 * A dashboard's page of relationships with what each item shows under it
 * (one statement per nested field). Three complaints and promises per item,
 * not the default 50: the query costs 42,001 of CRH_GRAPHQL_MAX_COST's 50,000.
 */
const NESTED_PAGE = `query ($day: Date!) { relationships(asOf: $day, first: 500) { edges { node { ${ROW}
  complaints(first: 3) { edges { node { complaintId status receivedAt } } pageInfo { hasNextPage } }
  promises(first: 3) { edges { node { promiseId status dueAt } } pageInfo { hasNextPage } }
  statusHistory { status from to } } } } }`;

const KPIS = `query ($from: Date!, $to: Date!, $am: ID) { dailyKpis(from: $from, to: $to, accountManagerId: $am) {
  date activeCustomers goingQuiet neglected churned npsResponses promoters passives detractors nps
  complaintsReceived complaintsResolved openComplaints medianHoursToAcknowledge medianHoursToResolve
  promisesDue promisesKeptOnTime delightMoments compliments retentionRate90d } }`;

const COMPLAINTS = `{ complaints(first: 50) { edges { cursor node {
  customerId complaintId accountManagerId status severity receivedAt acknowledgedAt hoursToResolve
  longestSilenceHours overdue } } pageInfo { hasNextPage endCursor } } }`;
const OVERDUE_PROMISES = `{ promises(first: 50, status: [OVERDUE]) { edges { cursor node {
  customerId promiseId accountManagerId description dueAt status } } pageInfo { hasNextPage endCursor } } }`;
const NPS_BY_MANAGER = `query ($from: Date!, $to: Date!) { nps(from: $from, to: $to, groupBy: ACCOUNT_MANAGER) {
  key responses promoters passives detractors nps } }`;
const FANS = `query ($day: Date) { fans(date: $day) { employeeId streak moments momentsLast30Days } }`;
const OUTLIERS = `query ($day: Date, $metric: OutlierMetric!) { outliers(date: $day, metric: $metric) {
  subject id customerId accountManagerId value norm deviation detail } }`;

type Edges = { relationships: { edges: { cursor: string }[] } };
const pageRows = (data: Record<string, unknown>) => (data as Edges).relationships.edges.length;
const kpiRows = (data: Record<string, unknown>) => (data.dailyKpis as unknown[]).length;
const listRows = (data: Record<string, unknown>) => (data.neglectedRelationships as unknown[]).length;

/**
 * The account managers' and dashboards' queries, each on random days of the
 * book (any day from its first to a month after its last) and random
 * managers, sent one at a time over HTTP to a running gateway.
 */
export async function benchQueries(
  graphqlUrl: string,
  book: BookOptions,
  samples: number,
  authorization: string,
): Promise<Latency[]> {
  const random = createRandom(book.seed + 1);
  const first = addDays(book.endDate, -book.days);
  const span = book.days + 30;
  const day = () => addDays(first, Math.floor(random() * span));
  /** 365 days ending on a random day of the book (its first to its last). */
  const year = () => {
    const to = bookDay();
    return { from: addDays(to, -364), to };
  };
  /** A day of the book, its first to its last (signal queries refuse days after today). */
  const bookDay = () => addDays(first, Math.floor(random() * (book.days + 1)));
  const am = () => `am-${1 + Math.floor(random() * book.managers)}`;
  const customer = () => `cust-${String(Math.floor(random() * book.customers)).padStart(6, '0')}`;
  const post = async (query: string, variables: Record<string, unknown>) => {
    const response = await fetch(graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as { data?: Record<string, unknown>; errors?: unknown };
    if (body.errors || !body.data) throw new Error(`query failed: ${JSON.stringify(body.errors)}`);
    return body.data;
  };

  const measure = async (name: string, next: () => Promise<Sample> | Sample): Promise<Latency> => {
    const times: number[] = [];
    const rows: number[] = [];
    for (let i = 0; i < samples + 10; i++) {
      const sample = await next();
      const started = performance.now();
      const data = await post(sample.query, sample.variables);
      if (i < 10) continue; // warm-up
      times.push(performance.now() - started);
      rows.push(sample.rows(data));
    }
    return latencyOf(name, times, rows);
  };

  type Neglected = { neglectedRelationships: { customerId: string }[] };
  return [
    await measure('neglectedRelationships(date, first: 500), whole book', () => ({
      query: NEGLECTED_PAGE,
      variables: { day: day() },
      rows: listRows,
    })),
    await measure('neglectedRelationships(date, first: 500, after), 2nd page', async () => {
      const variables = { day: day() };
      const firstPage = (await post(NEGLECTED_PAGE, variables)) as Neglected;
      return {
        query: NEGLECTED_PAGE,
        variables: { ...variables, after: firstPage.neglectedRelationships.at(-1)?.customerId },
        rows: listRows,
      };
    }),
    await measure('neglectedRelationships(date), whole book', () => ({
      query: NEGLECTED,
      variables: { day: day() },
      rows: listRows,
    })),
    await measure('neglectedRelationships(date, accountManagerId)', () => ({
      query: NEGLECTED,
      variables: { day: day(), am: am() },
      rows: listRows,
    })),
    await measure('relationships page of 50, whole book', () => ({
      query: PAGE,
      variables: { day: day() },
      rows: pageRows,
    })),
    await measure('relationships page of 50, status GOING_QUIET+NEGLECTED', () => ({
      query: PAGE,
      variables: { day: day(), status: ['GOING_QUIET', 'NEGLECTED'] },
      rows: pageRows,
    })),
    await measure('relationships page of 50, one account manager', () => ({
      query: PAGE,
      variables: { day: day(), am: am() },
      rows: pageRows,
    })),
    await measure('relationships second page of 50 (after a cursor)', async () => {
      const variables = { day: day() };
      const firstPage = (await post(PAGE, variables)) as Edges;
      return {
        query: PAGE,
        variables: { ...variables, after: firstPage.relationships.edges.at(-1)?.cursor },
        rows: pageRows,
      };
    }),
    await measure('relationships(500) + complaints, promises, statusHistory', () => ({
      query: NESTED_PAGE,
      variables: { day: day() },
      rows: pageRows,
    })),
    await measure('relationship(customerId, asOf) with health', () => ({
      query: `query ($id: ID!, $day: Date) { relationship(customerId: $id, asOf: $day) {
        ${ROW} typicalContactGapDays beyondCadence health { score factors { factor points } } } }`,
      variables: { id: customer(), day: day() },
      rows: (data) => (data.relationship ? 1 : 0),
    })),
    await measure('todaysCalls(accountManagerId, date)', () => ({
      query: `query ($am: ID!, $day: Date) { todaysCalls(accountManagerId: $am, date: $day) {
        reason explanation relationship { customerId } health { score } } }`,
      variables: { am: am(), day: day() },
      rows: (data) => (data.todaysCalls as unknown[]).length,
    })),
    await measure('dailyKpis, 365 days, whole organisation', () => ({
      query: KPIS,
      variables: year(),
      rows: kpiRows,
    })),
    await measure('dailyKpis, 365 days, one account manager', () => ({
      query: KPIS,
      variables: { ...year(), am: am() },
      rows: kpiRows,
    })),
    await measure('complaints, page of 50, oldest first', () => ({
      query: COMPLAINTS,
      variables: {},
      rows: (data) => (data as { complaints: { edges: unknown[] } }).complaints.edges.length,
    })),
    await measure('promises, page of 50, status OVERDUE', () => ({
      query: OVERDUE_PROMISES,
      variables: {},
      rows: (data) => (data as { promises: { edges: unknown[] } }).promises.edges.length,
    })),
    await measure('nps, 365 days, groupBy ACCOUNT_MANAGER', () => ({
      query: NPS_BY_MANAGER,
      variables: year(),
      rows: (data) => (data.nps as unknown[]).length,
    })),
    await measure('fans(date)', () => ({
      query: FANS,
      variables: { day: bookDay() },
      rows: (data) => (data.fans as unknown[]).length,
    })),
    // One line per metric: they read different tables and cost differently.
    ...(await sequentially(OUTLIER_METRICS, (metric) =>
      measure(`outliers(date, ${metric})`, () => ({
        query: OUTLIERS,
        variables: { day: bookDay(), metric },
        rows: (data) => (data.outliers as unknown[]).length,
      })),
    )),
  ];
}

async function sequentially<T, U>(items: readonly T[], work: (item: T) => Promise<U>): Promise<U[]> {
  const results: U[] = [];
  for (const item of items) results.push(await work(item));
  return results;
}
