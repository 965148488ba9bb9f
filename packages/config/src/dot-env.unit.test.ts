import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadDotEnv } from './dot-env.ts';
import { ConfigError, loadConfig } from './platform-config.ts';

const folderWith = (files: Record<string, string>) => {
  const dir = mkdtempSync(join(tmpdir(), 'crh-dotenv-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
};

describe('.env loading', () => {
  it('fills what the environment leaves unset, and the environment wins', () => {
    const dir = folderWith({ '.env': '# local\nCRH_TIMEZONE=Europe/Amsterdam\nGATEWAY_PORT=5000\n' });
    const env: NodeJS.ProcessEnv = { GATEWAY_PORT: '6000' };
    expect(loadDotEnv(env, dir)).toBe(join(dir, '.env'));
    expect(env).toEqual({ GATEWAY_PORT: '6000', CRH_TIMEZONE: 'Europe/Amsterdam' });
    const config = loadConfig(env);
    expect(config.rules.timeZone).toBe('Europe/Amsterdam');
    expect(config.env.GATEWAY_PORT).toBe(6000);
  });

  it('reads nothing when there is no .env, or CRH_ENV_FILE is empty', () => {
    const none: NodeJS.ProcessEnv = {};
    expect(loadDotEnv(none, folderWith({}))).toBeNull();
    expect(none).toEqual({});
    const off: NodeJS.ProcessEnv = { CRH_ENV_FILE: '' };
    expect(loadDotEnv(off, folderWith({ '.env': 'LOG_LEVEL=debug\n' }))).toBeNull();
    expect(off).toEqual({ CRH_ENV_FILE: '' });
  });

  it('reads the file CRH_ENV_FILE names, and refuses one that does not exist', () => {
    const dir = folderWith({ 'staging.env': 'LOG_LEVEL=warn\n' });
    const env: NodeJS.ProcessEnv = { CRH_ENV_FILE: 'staging.env' };
    loadDotEnv(env, dir);
    expect(env.LOG_LEVEL).toBe('warn');
    const missing = () => loadDotEnv({ CRH_ENV_FILE: 'missing.env' }, dir);
    expect(missing).toThrow(ConfigError);
    expect(missing).toThrow(/missing\.env, which does not exist/);
  });
});

describe('the event store setting', () => {
  it('refuses EVENT_STORE=eventstoredb without ESDB_URL at start, naming both', () => {
    expect(() => loadConfig({ EVENT_STORE: 'eventstoredb' })).toThrow(
      /ESDB_URL: required by EVENT_STORE=eventstoredb/,
    );
    expect(
      loadConfig({ EVENT_STORE: 'eventstoredb', ESDB_URL: 'esdb://localhost:2113?tls=false' }).env
        .EVENT_STORE,
    ).toBe('eventstoredb');
  });
});
