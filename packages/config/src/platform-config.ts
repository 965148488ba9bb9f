import {
  type CadencePolicy,
  type ComplaintSla,
  DEFAULT_COMPLAINT_SLA,
  DEFAULT_HEALTH_WEIGHTS,
  DEFAULT_TIER_POLICY,
  type HealthWeights,
  parseComplaintSla,
  parseHealthWeights,
  parseTierPolicy,
  type RuleContext,
} from '@crh/domain';
import { type Env, envSchema } from './env-schema.ts';

export interface PlatformConfig {
  env: Env;
  /** Time zone, tier policy and cadence: what the rules depend on. */
  rules: Required<RuleContext>;
  healthWeights: HealthWeights;
  /** Complaint service levels in hours: applied when asked, no rebuild. */
  complaintSla: ComplaintSla;
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Parses and validates the environment once; fails fast with every problem listed. */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): PlatformConfig {
  // An empty variable counts as unset: compose passes `${NAME:-}` through
  // that way, so the defaults live here only.
  const set = Object.fromEntries(Object.entries(source).filter(([, value]) => value !== ''));
  const parsed = envSchema.safeParse(set);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  const env = parsed.data;
  if (env.EVENT_STORE === 'eventstoredb' && !env.ESDB_URL) {
    throw new ConfigError(
      'invalid configuration:\n  ESDB_URL: required by EVENT_STORE=eventstoredb, e.g. esdb://localhost:2113?tls=false',
    );
  }
  const policy = parseOptional('CRH_TIER_POLICY', env.CRH_TIER_POLICY, parseTierPolicy, DEFAULT_TIER_POLICY);
  const healthWeights = parseOptional(
    'CRH_HEALTH_WEIGHTS',
    env.CRH_HEALTH_WEIGHTS,
    parseHealthWeights,
    DEFAULT_HEALTH_WEIGHTS,
  );
  const cadence: CadencePolicy = {
    gaps: env.CRH_CADENCE_GAPS,
    factor: env.CRH_CADENCE_FACTOR,
    minExtraDays: env.CRH_CADENCE_MIN_EXTRA_DAYS,
  };
  const complaintSla = parseOptional(
    'CRH_COMPLAINT_SLA',
    env.CRH_COMPLAINT_SLA,
    parseComplaintSla,
    DEFAULT_COMPLAINT_SLA,
  );
  return { env, rules: { timeZone: env.CRH_TIMEZONE, policy, cadence }, healthWeights, complaintSla };
}

/** Services need a database; only the CLI may start an embedded one when this is missing. */
export function requireDatabaseUrl(config: PlatformConfig): string {
  if (!config.env.DATABASE_URL) {
    throw new ConfigError(
      'DATABASE_URL is required (or run `npm start`, which starts an embedded PostgreSQL)',
    );
  }
  return config.env.DATABASE_URL;
}

/** The relay and a Kafka change feed need brokers; `who` names the need in the message. */
export function requireKafkaBrokers(config: PlatformConfig, who: string): string[] {
  const brokers = config.env.KAFKA_BROKERS ?? [];
  if (brokers.length === 0) {
    throw new ConfigError(
      `KAFKA_BROKERS is required by ${who}: a comma-separated host:port list, e.g. KAFKA_BROKERS=127.0.0.1:9092`,
    );
  }
  return brokers;
}

/** A change feed on Kafka needs brokers (the projector publishes, the gateways subscribe). */
export function requireChangeFeed(config: PlatformConfig): void {
  if (config.env.CHANGE_FEED === 'kafka') requireKafkaBrokers(config, 'CHANGE_FEED=kafka');
}

/** A variable in a format of its own: its parser's message, under the variable's name. */
function parseOptional<T>(
  name: string,
  text: string | undefined,
  parse: (text: string) => T,
  fallback: T,
): T {
  if (!text) return fallback;
  try {
    return parse(text);
  } catch (error) {
    throw new ConfigError(`invalid configuration:\n  ${name}: ${(error as Error).message}`);
  }
}
