import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { ConfigError } from './platform-config.ts';

/**
 * Loads `.env` (or the file CRH_ENV_FILE names; empty: none) into `env` when
 * it exists. Variables already set win over the file, so a shell, compose or
 * an orchestrator always has the last word. Node's own parser reads it (the
 * format of `node --env-file`). Returns the file loaded, if any.
 */
export function loadDotEnv(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string | null {
  const name = env.CRH_ENV_FILE ?? '.env';
  if (name === '') return null;
  const file = resolve(cwd, name);
  if (!existsSync(file)) {
    if (env.CRH_ENV_FILE) throw new ConfigError(`CRH_ENV_FILE names ${file}, which does not exist`);
    return null;
  }
  for (const [key, value] of Object.entries(parseEnv(readFileSync(file, 'utf8')))) {
    if (env[key] === undefined) env[key] = value;
  }
  return file;
}
