import { fileURLToPath } from 'node:url';
import { CONTACT_DAYS_KEPT } from '@crh/domain';
import { z } from 'zod';

// Every variable the platform reads, with its default. `.env.example` lists the
// same set; keep them in step.
const port = (fallback: number) => z.coerce.number().int().min(0).max(65_535).default(fallback);

const timeZone = z
  .string()
  .default('UTC')
  .refine((tz) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  }, 'must be an IANA time zone such as UTC or Europe/Amsterdam');

// Where `npm run build -w @crh/graphiql` puts GraphiQL, in this clone or in the
// gateway's image (the same layout under /app): found wherever crh starts from.
const GRAPHIQL_BUILD = fileURLToPath(new URL('../../../services/graphiql/dist', import.meta.url));

const rate = z.string().regex(/^\d+\/(sec|min|hour)$/, 'must look like 1200/min (N/sec, N/min or N/hour)');

/** Tokens travel to and from the identity provider: TLS, except on this machine. */
function secureOrLoopback(url: string): boolean {
  const { protocol, hostname } = new URL(url);
  return (
    protocol === 'https:' || (protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(hostname))
  );
}

export const envSchema = z.object({
  // The file of variables read at start when present (empty: none); set variables win over it.
  CRH_ENV_FILE: z.string().optional(),
  DATABASE_URL: z.string().url().optional(),
  // Without DATABASE_URL, `crh start` runs an embedded PostgreSQL on this port, its data in CRH_DATA_DIR (default .crh/).
  CRH_EMBEDDED_PG_PORT: port(54329),
  CRH_DATA_DIR: z.string().optional(),
  // The services' own database roles (<prefix>_ingest, _projector, _gateway, _relay) that
  // `crh migrate` and `npm start` set up; a prefix per crh database when several share a cluster.
  CRH_DB_ROLE_PREFIX: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,40}$/, 'lower-case letters, digits and _, starting with a letter or _')
    .default('crh'),
  // Passwords `crh migrate` gives those roles (unset: a role keeps the one it has).
  CRH_DB_INGEST_PASSWORD: z.string().optional(),
  CRH_DB_PROJECTOR_PASSWORD: z.string().optional(),
  CRH_DB_GATEWAY_PASSWORD: z.string().optional(),
  CRH_DB_RELAY_PASSWORD: z.string().optional(),
  CRH_TIMEZONE: timeZone,
  CRH_TIER_POLICY: z.string().optional(),
  // The fold keeps CONTACT_DAYS_KEPT contact days: one more than the gaps it can give.
  CRH_CADENCE_GAPS: z.coerce
    .number()
    .int()
    .min(3)
    .max(CONTACT_DAYS_KEPT - 1)
    .default(8),
  CRH_CADENCE_FACTOR: z.coerce.number().min(1).max(100).default(3),
  CRH_CADENCE_MIN_EXTRA_DAYS: z.coerce.number().int().min(0).max(3650).default(7),
  CRH_HEALTH_WEIGHTS: z.string().optional(),
  CRH_COMPLAINT_SLA: z.string().optional(),
  DAY_TURN_CHECK_MS: z.coerce.number().int().min(100).default(15_000),
  // Where the event log lives: PostgreSQL (DATABASE_URL) or EventStoreDB/KurrentDB (ESDB_URL).
  EVENT_STORE: z.enum(['postgres', 'eventstoredb']).default('postgres'),
  // e.g. esdb://localhost:2113?tls=false (kurrentdb:// works too); required by EVENT_STORE=eventstoredb.
  ESDB_URL: z.string().optional(),
  // The change feed from the projector to the gateways: PostgreSQL
  // LISTEN/NOTIFY on the read-model database, or a Kafka topic (several
  // gateways, each sees every change).
  CHANGE_FEED: z.enum(['postgres', 'kafka']).default('postgres'),
  // Comma-separated host:port list; required by CHANGE_FEED=kafka and the relay.
  KAFKA_BROKERS: z
    .string()
    .optional()
    .transform((text) =>
      text
        ?.split(',')
        .map((b) => b.trim())
        .filter((b) => b !== ''),
    ),
  KAFKA_CLIENT_ID: z.string().default('crh'),
  CHANGE_FEED_TOPIC: z.string().min(1).default('crh.changes.v1'),
  RELAY_TOPIC: z.string().min(1).default('crh.events.v1'),
  // Partitions the relay creates its topic with (key = customerId, so per-customer order holds).
  RELAY_PARTITIONS: z.coerce.number().int().min(1).max(1000).default(12),
  RELAY_BATCH_SIZE: z.coerce.number().int().min(1).max(100_000).default(10_000),
  // The interface services listen on: loopback unless told otherwise (containers set 0.0.0.0).
  HOST: z.string().default('127.0.0.1'),
  INGEST_PORT: port(4001),
  GATEWAY_PORT: port(4000),
  PROJECTOR_PORT: port(4002),
  RELAY_PORT: port(4003),
  INGEST_BODY_LIMIT: z.string().default('8mb'),
  PROJECTOR_BATCH_SIZE: z.coerce.number().int().min(1).max(100_000).default(100_000),
  // Partitions of a new projection (by customer); projector processes share them. An existing projection keeps its count.
  PROJECTOR_PARTITIONS: z.coerce.number().int().min(1).max(1024).default(16),
  // The projector is ready (/readyz 200) while at most this far behind the log's head.
  PROJECTOR_READY_MAX_LAG_EVENTS: z.coerce.number().int().min(0).default(10_000),
  PROJECTOR_READY_MAX_LAG_SECONDS: z.coerce.number().min(0).default(60),
  PG_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
  // PostgreSQL timeouts of every service pool (docs/operations.md, "When the database goes away").
  // How long opening a connection (or waiting for a free one) may take.
  PG_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(100).default(5_000),
  // The longest one statement may run (0: no limit); read model builds and migrations lift it for their own statements.
  PG_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(0).default(30_000),
  // How long a transaction may sit idle between statements before the server ends the session (0: no limit).
  PG_IDLE_IN_TRANSACTION_TIMEOUT_MS: z.coerce.number().int().min(0).default(60_000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
  // Traces over OTLP (docs/operations.md#traces): either one set turns tracing on; unset, no
  // OpenTelemetry SDK loads. The SDK reads them (and the other OTEL_* variables) itself, at
  // start-up, before this schema runs; checked here too, so a malformed URL stops the service.
  OTEL_EXPORTER_OTLP_ENDPOINT: z.string().url().optional(),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: z.string().url().optional(),
  // A GraphQL subscriber that does not read is dropped (its connection closed) when this many
  // changes, or this many bytes of them, wait for it, or when changes wait with none taken this long.
  CRH_SUBSCRIBER_MAX_ITEMS: z.coerce.number().int().min(1).default(10_000),
  CRH_SUBSCRIBER_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(4 * 1024 * 1024),
  CRH_SUBSCRIBER_STALL_MS: z.coerce.number().int().min(100).default(30_000),
  // --- personal data (docs/erasure.md) ---
  // The master key that wraps every customer's data key: a file holding base64 of 32 bytes
  // (openssl rand -base64 32). Unset: CRH_DATA_DIR/keys/master.key, created on first start.
  CRH_MASTER_KEY_FILE: z.string().min(1).optional(),
  // Older master keys (comma-separated files) that still open the data keys they wrapped, while
  // `crh rotate-master-key` re-wraps them under CRH_MASTER_KEY_FILE.
  CRH_PREVIOUS_MASTER_KEY_FILES: z.string().min(1).optional(),
  // Customers' data keys kept in memory per process, and how long one is used before it is read
  // again (the bound on how long another process may still open a customer erased meanwhile).
  CRH_KEY_CACHE_SIZE: z.coerce.number().int().min(1).default(100_000),
  // At least 1 ms: lru-cache reads a TTL of 0 as no expiry at all.
  CRH_KEY_CACHE_TTL_MS: z.coerce.number().int().min(1).default(60_000),
  // --- access control (docs/access.md) ---
  // on: every request needs a bearer token; off: every caller is admin (local experiments only).
  CRH_AUTH: z.enum(['on', 'off']).default('on'),
  // The identity provider's key set; unset: the platform's own local key under CRH_DATA_DIR/auth.
  CRH_AUTH_JWKS_URL: z.string().url().optional(),
  CRH_AUTH_ISSUER: z.string().min(1).default('crh-local'),
  CRH_AUTH_AUDIENCE: z.string().min(1).default('crh'),
  // Claim holding the role names; dotted paths reach into objects (realm_access.roles).
  CRH_AUTH_ROLES_CLAIM: z.string().min(1).default('roles'),
  // Claim holding an account manager's id.
  CRH_AUTH_MANAGER_CLAIM: z.string().min(1).default('sub'),
  CRH_AUTH_CLOCK_TOLERANCE_S: z.coerce.number().int().min(0).max(600).default(60),
  // A remote key set is cached this long; an unknown kid refetches it at most once per cooldown.
  CRH_AUTH_JWKS_CACHE_MS: z.coerce.number().int().min(0).default(600_000),
  CRH_AUTH_JWKS_COOLDOWN_MS: z.coerce.number().int().min(0).default(30_000),
  // Signing in to the dashboard with the identity provider (OpenID Connect, authorization code
  // with PKCE): its issuer and the dashboard's client id there (a public client). Both or neither,
  // and only with CRH_AUTH_JWKS_URL; unset: sign-in links from the local key.
  CRH_OIDC_ISSUER: z
    .string()
    .url()
    .refine(secureOrLoopback, 'must be an https URL (http only on localhost, 127.0.0.1 or [::1])')
    .optional(),
  CRH_OIDC_CLIENT_ID: z.string().min(1).optional(),
  // What the dashboard asks the provider for; renewal needs a refresh token (some providers want offline_access).
  CRH_OIDC_SCOPE: z.string().min(1).default('openid profile'),
  // Comma-separated origins answered with Access-Control-Allow-Origin; none by default.
  CRH_CORS_ORIGINS: z
    .string()
    .optional()
    .transform((text) =>
      (text ?? '')
        .split(',')
        .map((o) => o.trim())
        .filter((o) => o !== ''),
    ),
  // Requests per token subject: N/sec, N/min or N/hour.
  CRH_RATE_LIMIT: rate.default('1200/min'),
  CRH_REPLAY_RATE_LIMIT: rate.default('120/min'),
  // POST /v1/events per token subject: far above what batching feeders need, a cap on a runaway or leaked one.
  CRH_INGEST_RATE_LIMIT: rate.default('6000/min'),
  // A bearer token for the CLI's calls to the services (crh replay); unset: one is minted from the local key.
  CRH_TOKEN: z.string().min(1).optional(),
  // GraphQL limits, checked before execution (QUERY_TOO_COMPLEX).
  CRH_GRAPHQL_MAX_DEPTH: z.coerce.number().int().min(1).max(100).default(10),
  CRH_GRAPHQL_MAX_ALIASES: z.coerce.number().int().min(0).max(1000).default(20),
  CRH_GRAPHQL_MAX_COST: z.coerce.number().int().min(1).default(50_000),
  CRH_GRAPHQL_MAX_DIRECTIVES: z.coerce.number().int().min(0).max(1000).default(20),
  CRH_GRAPHQL_MAX_TOKENS: z.coerce.number().int().min(10).max(1_000_000).default(2_000),
  // production: GraphiQL and introspection off unless CRH_GRAPHIQL=on; no "did you mean".
  NODE_ENV: z.string().optional(),
  CRH_GRAPHIQL: z.enum(['on', 'off']).optional(),
  // The built GraphiQL page and its assets the gateway serves (no CDN); a relative path is from the working folder.
  CRH_GRAPHIQL_DIR: z.string().min(1).default(GRAPHIQL_BUILD),
  // How long a mutation waits for the read models to pass its event (read-your-writes).
  CRH_READ_YOUR_WRITES_TIMEOUT_MS: z.coerce.number().int().min(0).max(60_000).default(5_000),
  // The built dashboard the gateway serves at / (unset: services/dashboard/dist of this checkout).
  CRH_DASHBOARD_DIR: z.string().min(1).optional(),
});

export type Env = z.infer<typeof envSchema>;
