import { existsSync, readFileSync } from 'node:fs';
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
const prometheusConfig = parse(read('infra/prometheus/prometheus.yml')) as {
  scrape_configs: {
    job_name: string;
    honor_labels?: boolean;
    authorization?: unknown;
    static_configs: { targets: string[]; labels?: Record<string, string> }[];
  }[];
};
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
    // A version, not a moving tag (latest, main, 3): Prometheus writes its tags with a v.
    for (const image of images) expect(image, image).toMatch(/^[a-z0-9./-]+:v?\d+(\.\d+)+[a-z0-9.-]*$/);
    expect(images).toEqual(expect.arrayContaining([expect.stringMatching(/^prom\/prometheus:v3\./)]));
    expect(images).toEqual(expect.arrayContaining([expect.stringMatching(/^grafana\/grafana:\d+\./)]));
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
      'metrics-token',
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
    // The projector and the relay verify the scraper's token on /metrics.
    for (const name of ['ingest', 'gateway', 'projector', 'relay', 'cli', 'metrics-token']) {
      const service = compose.services[name]!;
      expect(service.environment?.CRH_DATA_DIR, name).toBe('/data');
      expect(service.volumes, name).toContain('crh-auth:/data/auth');
    }
    expect(Object.keys(compose.volumes)).toContain('crh-auth');
    expect(compose.services.cli?.profiles).toEqual(['tools']);
    // A new named volume takes the owner of the image's folder: the user the services run as.
    const dockerfile = read('infra/docker/service.Dockerfile');
    expect(dockerfile).toMatch(
      /mkdir -p \/data\/auth \/data\/keys \/data\/metrics && chown -R node:node \/data/,
    );
    expect(dockerfile.indexOf('chown -R node:node /data')).toBeLessThan(dockerfile.indexOf('USER node'));
  });

  it('gives every service that opens the log, and the cli, one master key in a volume of its own', () => {
    for (const name of ['ingest', 'gateway', 'projector', 'cli']) {
      const service = compose.services[name]!;
      expect(service.environment?.CRH_DATA_DIR, name).toBe('/data');
      expect(service.volumes, name).toContain('crh-keys:/data/keys');
    }
    // Only what opens the log holds the key: the relay copies it sealed.
    for (const name of ['relay', 'metrics-token']) {
      expect(compose.services[name]?.volumes, name).not.toContain('crh-keys:/data/keys');
    }
    expect(Object.keys(compose.volumes)).toContain('crh-keys');
  });

  it('probes health on /readyz, which needs no token', () => {
    const probes = platform.filter(([, service]) => service.healthcheck);
    expect(probes.map(([name]) => name).sort()).toEqual(['gateway', 'ingest', 'projector', 'relay']);
    for (const [name, service] of probes)
      expect(service.healthcheck!.test.join(' '), name).toMatch(/\/readyz'/);
  });
});

describe('docker-compose.yml: metrics and dashboards', () => {
  const prometheus = compose.services.prometheus!;
  const grafana = compose.services.grafana!;
  const metricsToken = compose.services['metrics-token'] as ComposeService & {
    command: string[];
    restart: string;
    user: string;
  };
  /** `source:target[:ro]` of a service's volumes, by target. */
  const mounts = (service: ComposeService) =>
    new Map(
      (service.volumes ?? []).map((volume) => {
        const [source, target, mode] = volume.split(':') as [string, string, string | undefined];
        return [target, { source, mode }];
      }),
    );

  it('runs Prometheus and Grafana on 127.0.0.1 only, on their usual ports', () => {
    expect(prometheus.ports).toEqual(['127.0.0.1:9090:9090']);
    expect(grafana.ports).toEqual(['127.0.0.1:3000:3000']);
  });

  it('mounts files that exist: every bind mount of the stack names a file or folder of the repository', () => {
    const binds = services.flatMap(([name, service]) =>
      (service.volumes ?? [])
        .filter((volume) => volume.startsWith('./'))
        .map((volume) => ({ name, source: volume.split(':')[0]! })),
    );
    expect(binds.map((b) => b.source)).toEqual(
      expect.arrayContaining([
        './infra/prometheus/prometheus.yml',
        './infra/grafana/provisioning',
        './infra/grafana/dashboards',
      ]),
    );
    for (const { name, source } of binds)
      expect(existsSync(join(root, source)), `${name} ${source}`).toBe(true);
    expect(existsSync(join(root, 'infra/grafana/dashboards/crh.json'))).toBe(true);
  });

  it('takes the Grafana admin password from .env, with anonymous access and sign-up off', () => {
    const env = grafana.environment ?? {};
    expect(env.GF_SECURITY_ADMIN_PASSWORD).toMatch(/^\$\{CRH_GRAFANA_ADMIN_PASSWORD:\?[^}]+\}$/);
    expect(env.GF_AUTH_ANONYMOUS_ENABLED).toBe('false');
    expect(env.GF_USERS_ALLOW_SIGN_UP).toBe('false');
    expect(read('.env.example').split('# --- docker compose ---')[1]).toMatch(
      /^# CRH_GRAFANA_ADMIN_PASSWORD=$/m,
    );
  });

  it('lists in .env.example every variable compose reads that crh does not, with the default compose applies', () => {
    const composePart = read('.env.example').split('# --- docker compose ---')[1] ?? '';
    const own = [...read('docker-compose.yml').matchAll(/\$\{([A-Z_]+):-([^}]*)\}/g)].filter(
      ([, name]) => !(name! in envSchema.shape),
    );
    expect(own.map(([, name]) => name)).toEqual(
      expect.arrayContaining(['CRH_METRICS_TOKEN_TTL', 'CRH_PROMETHEUS_RETENTION']),
    );
    for (const [, name, value] of own)
      expect(composePart, name).toMatch(new RegExp(`^# ${name}=${value}$`, 'm'));
  });

  it('mints a monitoring token on every start and hands it to Prometheus only through a volume', () => {
    const args = metricsToken.command;
    const flag = (name: string) => args[args.indexOf(name) + 1];
    // One role, the one whose only permission is reading /metrics.
    expect(args.filter((arg) => arg === '--role')).toHaveLength(1);
    expect(flag('--role')).toBe('monitoring');
    // biome-ignore lint/suspicious/noTemplateCurlyInString: compose's interpolation, not a template
    expect(flag('--ttl')).toBe('${CRH_METRICS_TOKEN_TTL:-365d}');
    expect(metricsToken.restart).toBe('no');
    expect(prometheus.depends_on?.['metrics-token']).toEqual({ condition: 'service_completed_successfully' });
    // The services' user (to read the signing key), Prometheus's group (nobody) to share the file.
    expect(metricsToken.user).toBe('1000:65534');

    const out = flag('--out')!;
    const written = mounts(metricsToken).get(dirname(out));
    expect(written?.source).toBe('crh-metrics-token');
    expect(Object.keys(compose.volumes)).toContain('crh-metrics-token');
    // Prometheus reads that volume, read-only, at the folder its configuration names.
    const [secrets] = [...mounts(prometheus)].filter(([, m]) => m.source === 'crh-metrics-token');
    expect(secrets?.[1].mode).toBe('ro');
    for (const job of prometheusConfig.scrape_configs) {
      expect(job.authorization, job.job_name).toEqual({
        type: 'Bearer',
        credentials_file: `${secrets![0]}/${out.split('/').at(-1)}`,
      });
    }
    expect(read('infra/prometheus/prometheus.yml')).not.toMatch(/^\s*(credentials|bearer_token):/m);
    expect(mounts(prometheus).get('/etc/prometheus/prometheus.yml')?.source).toBe(
      './infra/prometheus/prometheus.yml',
    );
  });

  it('scrapes each crh service on the port it listens on, job and service label named after it', () => {
    const ports: Record<string, string> = {
      gateway: 'GATEWAY_PORT',
      ingest: 'INGEST_PORT',
      projector: 'PROJECTOR_PORT',
      relay: 'RELAY_PORT',
    };
    const jobs = prometheusConfig.scrape_configs;
    expect(jobs.map((job) => job.job_name).sort()).toEqual(Object.keys(ports).sort());
    for (const job of jobs) {
      const service = compose.services[job.job_name]!;
      const port = String(service.environment?.[ports[job.job_name]!]);
      expect(job.static_configs, job.job_name).toEqual([
        { targets: [`${job.job_name}:${port}`], labels: { service: job.job_name } },
      ]);
      // The port its health probe asks, too.
      expect(service.healthcheck?.test.join(' '), job.job_name).toContain(`127.0.0.1:${port}/readyz`);
      expect(job.honor_labels, job.job_name).toBe(true);
    }
  });

  it("provisions Grafana's Prometheus data source and the crh dashboard from the mounted folders", () => {
    const grafanaMounts = mounts(grafana);
    expect(grafanaMounts.get('/etc/grafana/provisioning')?.source).toBe('./infra/grafana/provisioning');
    const dashboardsAt = [...grafanaMounts].find(([, m]) => m.source === './infra/grafana/dashboards')?.[0];
    const datasources = parse(read('infra/grafana/provisioning/datasources/prometheus.yml')) as {
      datasources: { uid: string; type: string; url: string }[];
    };
    const providers = parse(read('infra/grafana/provisioning/dashboards/crh.yml')) as {
      providers: { type: string; options: { path: string } }[];
    };
    expect(providers.providers.map((p) => p.options.path)).toEqual([dashboardsAt]);
    expect(grafana.environment?.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH).toBe(`${dashboardsAt}/crh.json`);
    const [source] = datasources.datasources;
    expect(source?.type).toBe('prometheus');
    // The compose service and the port Prometheus listens on inside the network.
    expect(source?.url).toBe(`http://prometheus:${prometheus.ports![0]!.split(':').at(-1)}`);
    // Every panel of the dashboard queries that data source.
    const dashboard = read('infra/grafana/dashboards/crh.json');
    const uids = [...dashboard.matchAll(/"uid":\s*"([^"]+)"/g)].map((m) => m[1]);
    const panelSources = new Set(
      uids.filter((uid) => uid !== (JSON.parse(dashboard) as { uid: string }).uid),
    );
    expect([...panelSources]).toEqual([source?.uid]);
  });
});
