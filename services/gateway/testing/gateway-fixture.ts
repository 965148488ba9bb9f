import { openTestAuth, type TestAuth } from '@crh/auth/testing';
import { DEFAULT_HEALTH_WEIGHTS, DEFAULT_TIER_POLICY, type RuleContext } from '@crh/domain';
import type { AppendEvent } from '@crh/event-store';
import type { ChangeFeedPublisher } from '@crh/messaging';
import { createNotifyPublisher } from '@crh/messaging/postgres';
import { createLogger } from '@crh/observability';
import { alertChanges, batchChanges, dayTurnChanges } from '@crh/read-models/projection';
import { createProjector, type Projector, type ProjectorDeps } from '@crh/read-models/runner';
import { openPlatformTestDatabase, type PlatformTestDatabase } from '@crh/testing/platform';
import { createApp } from '../src/app.ts';

export interface GraphQLResult<T = Record<string, unknown>> {
  data?: T;
  errors?: { message: string; extensions?: { code?: string } }[];
}

export interface GatewayFixture {
  database: PlatformTestDatabase;
  rules: RuleContext;
  projector: Projector;
  /** Mints tokens the fixture's gateway accepts. */
  auth: TestAuth;
  /** Appends events and projects everything (or waits for the running projector to). */
  record(events: readonly AppendEvent[]): Promise<void>;
  /**
   * Runs the projector in the background, following the log as a deployed
   * one does, until close(): what read-your-writes waits for. record() then
   * waits for it instead of projecting itself.
   */
  runProjector(): void;
  /** Runs a query in process, with the clock at `now`, as `admin` unless `authorization` says who. */
  query<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    now?: string,
    authorization?: string,
  ): Promise<GraphQLResult<T>>;
  close(): Promise<void>;
}

const logger = createLogger('gateway-test', 'silent');

/**
 * A gateway over its own fresh database, for one organisation time zone (read
 * models are built for one zone), with a projector to fill it.
 */
export async function openGatewayFixture(
  timeZone: string,
  options: {
    now?: string;
    /** The projector's clock, for tests that move it (default: fixed at `now`). */
    clock?: () => Date;
    /**
     * The projector announces what it commits, the days it turns and the
     * deadlines it finds passed on the database's LISTEN/NOTIFY feed, as a
     * deployed one does (CHANGE_FEED=postgres); default: nowhere.
     */
    announce?: boolean;
    rules?: Partial<RuleContext>;
    readYourWritesTimeoutMs?: number;
    /** The local key its tokens are minted with and checked against; a fresh one by default. */
    auth?: TestAuth;
  } = {},
): Promise<GatewayFixture> {
  const database = await openPlatformTestDatabase();
  const { store, pool } = database;
  const rules: RuleContext = { timeZone, policy: DEFAULT_TIER_POLICY, ...options.rules };
  const auth = options.auth ?? (await openTestAuth());
  const admin = await auth.bearer('admin');
  const defaultNow = options.now ?? '2026-06-01T12:00:00Z';
  const projector = createProjector({
    store,
    pool,
    logger,
    context: rules,
    batchSize: 100,
    now: options.clock ?? (() => new Date(defaultNow)),
    ...(options.announce ? announcingTo(createNotifyPublisher({ pool })) : {}),
  });
  let running: { stop: AbortController; done: Promise<void> } | null = null;
  return {
    database,
    rules,
    projector,
    auth,
    async record(events) {
      const last = (await store.append(events))
        .map((result) => result.position)
        .sort()
        .at(-1);
      // Appends become readable once every older transaction on the server
      // has ended (the log's gap-free reads), and a test server is shared by
      // test files running at once: project until the checkpoint has them.
      // A running projector holds the leader lock: catchUp() would wait for it forever.
      while (last !== undefined && ((await projector.checkpoint()) ?? '') < last) {
        if (!running) await projector.catchUp();
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    runProjector() {
      if (running) return;
      const stop = new AbortController();
      running = { stop, done: projector.run(stop.signal) };
    },
    async query<T>(
      query: string,
      variables: Record<string, unknown> = {},
      now = defaultNow,
      authorization = admin,
    ) {
      const yoga = createApp({
        auth: auth.verifier,
        store,
        db: pool,
        logger,
        rules,
        healthWeights: DEFAULT_HEALTH_WEIGHTS,
        now: () => new Date(now),
        ...(options.readYourWritesTimeoutMs === undefined
          ? {}
          : { readYourWritesTimeoutMs: options.readYourWritesTimeoutMs }),
      });
      const response = await yoga.fetch('http://gateway/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization },
        body: JSON.stringify({ query, variables }),
      });
      return (await response.json()) as GraphQLResult<T>;
    },
    async close() {
      running?.stop.abort();
      await running?.done;
      await database.close();
    },
  };
}

/** The projector's hooks that publish what it commits, turns and finds overdue to `feed`. */
function announcingTo(feed: ChangeFeedPublisher) {
  return {
    onCommitted: (result) => feed.publish(batchChanges(result)),
    onDayTurned: (turn) => feed.publish(dayTurnChanges(turn)),
    onDeadlinesPassed: (alerts) => feed.publish(alertChanges(alerts)),
  } satisfies Partial<ProjectorDeps>;
}
