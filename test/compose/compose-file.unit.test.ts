import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { envSchema, loadConfig } from '@crh/config';
import { KURRENTDB_IMAGE, POSTGRES_IMAGE } from '@crh/testing';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

// No Docker engine runs where these tests run, so the compose file is checked
// here for what users must be able to trust (docs/operations.md); its syntax
// is checked with `docker compose config` where compose is installed.
const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const read = (file: string) => readFileSync(join(root, file), 'utf8');

interface ComposeService {
  image?: string;
  profiles?: string[];
  ports?: string[];
  environment?: Record<string, string | number>;
  depends_on?: Record<string, unknown>;
  volumes?: string[];
  healthcheck?: { test: string[] };
}
const compose = parse(read('docker-compose.yml'), { merge: true }) as {
  services: Record<string, ComposeService>;
  volumes: Record<string, unknown>;
};
const services = Object.entries(compose.services);
/** The services that log in to PostgreSQL as roles of their own. */
const ROLE_SERVICES = ['ingest', 'projector', 'gateway', 'relay'];

describe('docker-compose.yml', () => {
  it('publishes every port on 127.0.0.1 only', () => {
    const ports = services.flatMap(([name, service]) =>
      (service.ports ?? []).map((port) => `${name} ${port}`),
    );
    expect(ports.length).toBeGreaterThan(0);
    expect(ports.filter((port) => !/^\S+ 127\.0\.0\.1:\d+:\d+$/.test(port))).toEqual([]);
  });

  it('pins every image to a version, and the service images to a pinned Node', () => {
    const images = services.flatMap(([, service]) => (service.image ? [service.image] : []));
    expect(images.length).toBeGreaterThan(0);
    for (const image of images) expect(image, image).toMatch(/^[a-z0-9./-]+:\d+(\.\d+)+[a-z0-9.-]*$/);
    expect(read('infra/docker/service.Dockerfile')).toMatch(/^ARG NODE_IMAGE=node:\d+\.\d+\.\d+-/m);
  });

  it('runs the PostgreSQL and KurrentDB the tests run', () => {
    expect(compose.services.postgres?.image).toBe(POSTGRES_IMAGE);
    expect(compose.services.kurrentdb?.image).toBe(KURRENTDB_IMAGE);
  });

  it('keeps the event log in PostgreSQL unless the eventstoredb profile is chosen', () => {
    expect(compose.services.kurrentdb?.profiles).toEqual(['eventstoredb']);
    for (const [name, service] of services.filter(([, s]) => s.environment?.EVENT_STORE !== undefined)) {
      // biome-ignore lint/suspicious/noTemplateCurlyInString: compose's interpolation, not a template
      expect(service.environment?.EVENT_STORE, name).toBe('${EVENT_STORE:-}');
      // A dependency on a service of an unchosen profile would stop the default stack from starting.
      expect(Object.keys(service.depends_on ?? {}), name).not.toContain('kurrentdb');
    }
  });

  it('writes no default of the platform again: an unset variable is passed empty, and crh applies its own', () => {
    const defaulted = [...read('docker-compose.yml').matchAll(/\$\{([A-Z_]+):-([^}]*)\}/g)]
      .filter(([, name, value]) => name! in envSchema.shape && value !== '')
      .map(([text]) => text);
    expect(defaulted).toEqual([]);
    expect(loadConfig({ EVENT_STORE: '', CRH_CADENCE_GAPS: '', CRH_TIER_POLICY: '' })).toEqual(
      loadConfig({}),
    );
  });

  it('takes credentials from the environment (.env), never from the file', () => {
    const postgres = compose.services.postgres?.environment ?? {};
    expect(postgres.POSTGRES_PASSWORD).toMatch(/^\$\{CRH_POSTGRES_PASSWORD:\?[^}]+\}$/);
    for (const [name, service] of services) {
      const url = service.environment?.DATABASE_URL;
      if (url === undefined) continue;
      // The services log in as their own roles; the migrations and the cli as the owner.
      const role = ROLE_SERVICES.includes(name)
        ? `crh_${name}:\\$\\{CRH_DB_${name.toUpperCase()}_PASSWORD`
        : 'crh:\\$\\{CRH_POSTGRES_PASSWORD';
      expect(String(url), name).toMatch(new RegExp(`^postgres://${role}:\\?`));
    }
    // Every variable compose requires is documented where users copy their .env from.
    const required = [...read('docker-compose.yml').matchAll(/\$\{([A-Z_]+):\?/g)].map((m) => m[1]);
    const composePart = read('.env.example').split('# --- docker compose ---')[1] ?? '';
    for (const name of new Set(required)) expect(composePart, name).toMatch(new RegExp(`^# ${name}=`, 'm'));
  });

  it('migrates once, as the owner, before any service starts', () => {
    const migrate = compose.services.migrate as ComposeService & { command?: string[]; restart?: string };
    expect(migrate.command).toEqual(['migrate']);
    expect(migrate.profiles).toBeUndefined();
    for (const service of ROLE_SERVICES) {
      expect(compose.services[service]?.depends_on?.migrate, service).toEqual({
        condition: 'service_completed_successfully',
      });
      const password = `CRH_DB_${service.toUpperCase()}_PASSWORD`;
      expect(String(migrate.environment?.[password]), service).toMatch(new RegExp(`^\\$\\{${password}:\\?`));
      // A service sees its own password only (in its URL), never another role's.
      for (const other of ROLE_SERVICES.filter((name) => name !== service)) {
        expect(JSON.stringify(compose.services[other]), other).not.toContain(password);
      }
    }
  });

  // The crh services: the ones given the platform's database.
  const platform = services.filter(([, service]) => service.environment?.DATABASE_URL !== undefined);

  it('keeps access control on in every crh service, and passes its settings through unset', () => {
    expect(platform.map(([name]) => name).sort()).toEqual([
      'cli',
      'gateway',
      'ingest',
      'migrate',
      'projector',
      'relay',
    ]);
    expect(read('docker-compose.yml')).not.toMatch(/CRH_AUTH\s*[:=]\s*"?off/);
    const settings = Object.keys(envSchema.shape).filter((name) =>
      /^CRH_(AUTH_|CORS_ORIGINS|RATE_LIMIT|REPLAY_RATE_LIMIT|GRAPHQL_)/.test(name),
    );
    expect(settings).toContain('CRH_AUTH_JWKS_URL');
    for (const [name, service] of platform) {
      // Unset, CRH_AUTH is on; no service may set it (and a user's .env cannot turn it off here).
      expect(service.environment?.CRH_AUTH, name).toBeUndefined();
      for (const setting of settings) {
        expect(service.environment?.[setting], `${name} ${setting}`).toBe(`\${${setting}:-}`);
      }
    }
  });

  it('gives the services that verify tokens and the cli that mints them one local key', () => {
    for (const name of ['ingest', 'gateway', 'cli']) {
      const service = compose.services[name]!;
      expect(service.environment?.CRH_DATA_DIR, name).toBe('/data');
      expect(service.volumes, name).toContain('crh-auth:/data/auth');
    }
    expect(Object.keys(compose.volumes)).toContain('crh-auth');
    expect(compose.services.cli?.profiles).toEqual(['tools']);
    // A new named volume takes the owner of the image's folder: the user the services run as.
    const dockerfile = read('infra/docker/service.Dockerfile');
    expect(dockerfile).toMatch(/mkdir -p \/data\/auth && chown -R node:node \/data/);
    expect(dockerfile.indexOf('chown -R node:node /data')).toBeLessThan(dockerfile.indexOf('USER node'));
  });

  it('probes health on /readyz, which needs no token', () => {
    const probes = platform.filter(([, service]) => service.healthcheck);
    expect(probes.map(([name]) => name).sort()).toEqual(['gateway', 'ingest', 'projector', 'relay']);
    for (const [name, service] of probes)
      expect(service.healthcheck!.test.join(' '), name).toMatch(/\/readyz'/);
  });
});
