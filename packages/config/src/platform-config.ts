import { DEFAULT_TIER_POLICY, parseTierPolicy, type TierPolicy } from '@crh/domain';
import { type Env, envSchema } from './env-schema.ts';

export interface PlatformConfig {
  env: Env;
  timeZone: string;
  policy: TierPolicy;
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Parses and validates the environment once; fails fast with every problem listed. */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): PlatformConfig {
  const parsed = envSchema.safeParse(source);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  const env = parsed.data;
  let policy = DEFAULT_TIER_POLICY;
  if (env.CRH_TIER_POLICY) {
    try {
      policy = parseTierPolicy(env.CRH_TIER_POLICY);
    } catch (error) {
      throw new ConfigError(`invalid configuration:\n  CRH_TIER_POLICY: ${(error as Error).message}`);
    }
  }
  return { env, timeZone: env.CRH_TIMEZONE, policy };
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
