import { createRateLimit, type Principal, type RateLimit, type TokenVerifier } from '@crh/auth';
import { envSchema } from '@crh/config';
import { type ComplaintSla, DEFAULT_COMPLAINT_SLA, type HealthWeights, type RuleContext } from '@crh/domain';
import type { EventStore } from '@crh/event-store';
import type { Logger, Registry } from '@crh/observability';
import type { Queryable } from '@crh/read-models/schema';
import { createYoga, type YogaServerInstance } from 'graphql-yoga';
import { principalOfRequest, useAuthentication } from './auth/authentication-plugin.ts';
import { corsFor, useVaryOnOrigin } from './auth/cors.ts';
import { useRateLimit } from './auth/rate-limit-plugin.ts';
import { useRefusalLog } from './auth/refusal-log.ts';
import type { GatewayContext } from './builder.ts';
import { loadGraphiQLPage, useGraphiQLPage } from './graphiql/graphiql-page.ts';
import {
  DEFAULT_GRAPHQL_LIMITS,
  DEVELOPMENT_EXPOSURE,
  type GraphQLSettings,
} from './limits/graphql-limits.ts';
import { useGraphQLLimits } from './limits/limit-plugins.ts';
import { type ChangeHub, createChangeHub } from './live/change-hub.ts';
import { createRequestLoaders } from './loaders/request-loaders.ts';
import { useWriteWarnings } from './mutations/write-warnings.ts';
import { useGraphQLMetrics } from './operations/graphql-metrics.ts';
import { schema } from './schema/index.ts';

export interface GatewayDeps {
  /** Checks each request's bearer token (CRH_AUTH=off: a verifier that lets all in as admin). */
  auth: TokenVerifier;
  store: EventStore;
  /** The read models' database. */
  db: Queryable;
  logger: Logger;
  rules: RuleContext;
  healthWeights: HealthWeights;
  /** Default DEFAULT_COMPLAINT_SLA. */
  complaintSla?: ComplaintSla;
  now?: () => Date;
  /** The change feed's hub; default: one that nothing delivers to (queries only). */
  live?: ChangeHub;
  /** How long a mutation waits for the read models to show its event (CRH_READ_YOUR_WRITES_TIMEOUT_MS); default 5000. */
  readYourWritesTimeoutMs?: number;
  /** Limits and production mode (CRH_GRAPHQL_MAX_*, NODE_ENV, CRH_GRAPHIQL); default: the default limits, development. */
  graphql?: GraphQLSettings;
  /** Origins answered with Access-Control-Allow-Origin (CRH_CORS_ORIGINS); default none. */
  corsOrigins?: readonly string[];
  /** Requests per token sub (CRH_RATE_LIMIT), shared with graphql-ws; default CRH_RATE_LIMIT's default. */
  rateLimit?: RateLimit;
  /** Where per-operation GraphQL metrics go (the gateway's /metrics); none recorded when absent. */
  registry?: Registry;
  /** The built GraphiQL (CRH_GRAPHIQL_DIR); default CRH_GRAPHIQL_DIR's default, services/graphiql/dist. */
  graphiqlDir?: string;
}

export const DEFAULT_READ_YOUR_WRITES_TIMEOUT_MS = 5_000;

/** CRH_RATE_LIMIT's default, from the one place defaults are written. */
export const defaultRateLimit = (): RateLimit =>
  createRateLimit(envSchema.shape.CRH_RATE_LIMIT.parse(undefined));

/** CRH_GRAPHIQL_DIR's default, from the one place defaults are written. */
export const defaultGraphiQLDir = (): string => envSchema.shape.CRH_GRAPHIQL_DIR.parse(undefined);

/** The GraphQL app; main.ts gives it a socket. Tests call `yoga.fetch` in process. */
export function createApp(deps: GatewayDeps): YogaServerInstance<Record<string, unknown>, GatewayContext> {
  const now = deps.now ?? (() => new Date());
  const live =
    deps.live ??
    createChangeHub({
      store: deps.store,
      db: deps.db,
      timeZone: deps.rules.timeZone,
      logger: deps.logger,
      now,
    });
  const graphql = deps.graphql ?? { limits: DEFAULT_GRAPHQL_LIMITS, exposure: DEVELOPMENT_EXPOSURE };
  return createYoga<Record<string, unknown>, GatewayContext>({
    schema,
    graphqlEndpoint: '/graphql',
    // Yoga's GraphiQL loads from a CDN: ours (useGraphiQLPage) is built from
    // services/graphiql and served by the gateway, with a strict policy.
    graphiql: false,
    // Errors stay masked unless they are coded GraphQLErrors meant for clients.
    maskedErrors: true,
    logging: {
      debug: (...args) => deps.logger.debug(args),
      info: (...args) => deps.logger.info(args),
      warn: (...args) => deps.logger.warn(args),
      error: (...args) => deps.logger.error(args),
    },
    cors: corsFor(deps.corsOrigins ?? []),
    // GraphiQL's page first (it holds no data, so it needs no token); then
    // authentication: the rate limit counts per caller.
    plugins: [
      ...(graphql.exposure.graphiql
        ? [useGraphiQLPage(loadGraphiQLPage(deps.graphiqlDir ?? defaultGraphiQLDir()), '/graphql')]
        : []),
      useAuthentication(deps.auth, deps.logger, '/graphql'),
      useRateLimit(deps.rateLimit ?? defaultRateLimit(), deps.logger, '/graphql'),
      ...useGraphQLLimits(graphql),
      useWriteWarnings(),
      useRefusalLog(deps.logger),
      useVaryOnOrigin(),
      ...(deps.registry ? [useGraphQLMetrics(deps.registry)] : []),
    ],
    context: (initial: { request: Request; principal?: Principal }) => ({
      principal: callerOf(initial),
      store: deps.store,
      db: deps.db,
      rules: deps.rules,
      healthWeights: deps.healthWeights,
      complaintSla: deps.complaintSla ?? DEFAULT_COMPLAINT_SLA,
      now,
      live,
      loaders: createRequestLoaders({
        store: deps.store,
        db: deps.db,
        now,
        complaintSla: deps.complaintSla ?? DEFAULT_COMPLAINT_SLA,
      }),
      logger: deps.logger,
      readYourWritesTimeoutMs: deps.readYourWritesTimeoutMs ?? DEFAULT_READ_YOUR_WRITES_TIMEOUT_MS,
    }),
  });
}

/** HTTP requests were authenticated by the plugin; graphql-ws passes its connection's caller. */
function callerOf(initial: { request: Request; principal?: Principal }): Principal {
  const principal = initial.principal ?? principalOfRequest(initial.request);
  // Unreachable unless a transport skipped authentication: refuse rather than guess.
  if (!principal) throw new Error('a GraphQL operation arrived without an authenticated caller');
  return principal;
}
