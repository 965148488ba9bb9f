export { loadDotEnv } from './dot-env.ts';
export { type Env, envSchema } from './env-schema.ts';
export {
  ConfigError,
  loadConfig,
  type PlatformConfig,
  requireChangeFeed,
  requireDatabaseUrl,
  requireKafkaBrokers,
} from './platform-config.ts';
