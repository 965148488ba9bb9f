import type { RateLimit, TokenVerifier } from '@crh/auth';
import type { TestAuth } from '@crh/auth/testing';
import { DEFAULT_HEALTH_WEIGHTS } from '@crh/domain';
import { createNotifySubscriber } from '@crh/messaging/postgres';
import { createLogger, type Logger } from '@crh/observability';
import { quietLogger } from '@crh/testing';
import { type GatewayServer, startGatewayServer } from '../src/gateway-server.ts';
import type { OidcSignIn } from '../src/web/sign-in-settings.ts';

/** CRH_OIDC_* read as main.ts reads them, for a test configuring the gateway as an operator would. */
export { type OidcSignIn, oidcSignInFrom } from '../src/web/sign-in-settings.ts';

import { type GatewayFixture, openGatewayFixture } from './gateway-fixture.ts';

export interface LiveGatewayOptions {
  /** Where the clock of the projector and the gateway stands; the real time when absent (until setNow). */
  now?: Date;
  /** The organisation's time zone; default UTC. */
  timeZone?: string;
  /** The local key tokens are minted with and checked against; a fresh one by default. */
  auth?: TestAuth;
  /** Checks tokens with this instead of the fixture's local key (whose tokens it then refuses). */
  verifier?: TokenVerifier;
  /** How long a mutation waits for the projector; the gateway's default when absent. */
  readYourWritesTimeoutMs?: number;
  corsOrigins?: readonly string[];
  rateLimit?: RateLimit;
  /** The dashboard's sign-in with an identity provider (with a `verifier` for its tokens). */
  oidc?: OidcSignIn;
  /** Default: silent. */
  logger?: Logger;
  /** The built GraphiQL; default CRH_GRAPHIQL_DIR's default (services/graphiql/dist). */
  graphiqlDir?: string;
}

export interface LiveGateway
  extends Pick<GatewayFixture, 'database' | 'rules' | 'projector' | 'auth' | 'record' | 'runProjector'> {
  gateway: GatewayServer;
  /** Moves the clock of the projector and the gateway. */
  setNow(now: Date): void;
  /** Resolves once the hub holds `n` subscriptions (graphql-ws acknowledges sockets, not operations). */
  subscriptions(n: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * The gateway on a real socket over its own database, fed by the PostgreSQL
 * LISTEN/NOTIFY feed to which the fixture's projector, in this process,
 * announces what it commits, turns and finds overdue. The projector runs when
 * the test says (record, catchUp, turnDays, runProjector), by a clock the test
 * can move; everything between it and a client is real.
 */
export async function openLiveGateway(options: LiveGatewayOptions = {}): Promise<LiveGateway> {
  let now = options.now ?? null;
  const clock = () => now ?? new Date();
  const fixture = await openGatewayFixture(options.timeZone ?? 'UTC', {
    clock,
    announce: true,
    ...(options.auth ? { auth: options.auth } : {}),
  });
  const { database } = fixture;
  const gateway = await startGatewayServer({
    auth: options.verifier ?? fixture.auth.verifier,
    store: database.store,
    db: database.pool,
    logger: options.logger ?? createLogger('gateway-test', 'silent'),
    rules: fixture.rules,
    healthWeights: DEFAULT_HEALTH_WEIGHTS,
    now: clock,
    feed: createNotifySubscriber({ connectionString: database.url, logger: quietLogger }),
    host: '127.0.0.1',
    port: 0,
    readYourWritesTimeoutMs: options.readYourWritesTimeoutMs,
    corsOrigins: options.corsOrigins,
    rateLimit: options.rateLimit,
    graphiqlDir: options.graphiqlDir,
    ...(options.oidc ? { oidc: options.oidc } : {}),
  });
  return {
    database,
    rules: fixture.rules,
    projector: fixture.projector,
    auth: fixture.auth,
    record: fixture.record,
    runProjector: fixture.runProjector,
    gateway,
    setNow: (next) => {
      now = next;
    },
    async subscriptions(n) {
      for (let i = 0; gateway.live.subscriptions() < n; i++) {
        if (i > 250) throw new Error(`the hub holds ${gateway.live.subscriptions()} subscriptions, not ${n}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    async close() {
      await gateway.close();
      await fixture.close();
    },
  };
}
