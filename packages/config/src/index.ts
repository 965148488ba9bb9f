export { type Env, envSchema } from './env-schema.ts';
export { ConfigError, loadConfig, type PlatformConfig, requireDatabaseUrl } from './platform-config.ts';
