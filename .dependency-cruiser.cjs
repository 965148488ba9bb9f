// Module boundaries, checked by `npm test` (step "boundaries") and `npm run boundaries`.
// Each rule says why it exists: the message is what a developer sees when breaking it.
const TEST_CODE = [
  '\\.test\\.ts$',
  '^test/',
  '^packages/testing/',
  '^(packages|services)/[^/]+/testing/',
  '^vitest\\.config\\.ts$',
];

/** Read-model layers: a layer may use those listed for it, and nothing above it. */
const layer = (name, mayNotUse, why) => ({
  name: `read-models-${name}-layer`,
  severity: 'error',
  comment: why,
  from: { path: `^packages/read-models/src/${name}/`, pathNot: TEST_CODE },
  to: { path: `^packages/read-models/src/(${mayNotUse.join('|')})/` },
});

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment:
        'An import cycle: none of these modules can be understood, tested or loaded without the others. ' +
        'Move what they share into a module below them all.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'packages-never-import-services',
      severity: 'error',
      comment:
        'packages/ are the layers services are built from. A package that imports a service turns the ' +
        'dependency upside down: move what both need into a package.',
      from: { path: '^(packages|infra)/' },
      to: { path: '^services/' },
    },
    {
      name: 'services-never-import-each-other',
      severity: 'error',
      comment:
        'Each service is deployed, scaled and restarted on its own; they meet only over HTTP, the event ' +
        'log and the change feed. Shared code belongs in a package.',
      from: { path: '^services/([^/]+)/', pathNot: TEST_CODE },
      to: { path: '^services/', pathNot: '^services/$1/' },
    },
    {
      name: 'domain-is-pure',
      severity: 'error',
      comment:
        'The domain holds the rules as functions of events, policy, day and time zone: no I/O, no clock, ' +
        'no framework, no Node built-in. It may use zod and itself only; adapters live in the packages around it.',
      from: { path: '^packages/domain/src/', pathNot: '\\.test\\.ts$' },
      to: { pathNot: ['^packages/domain/src/', '^node_modules/zod/'] },
    },
    {
      name: 'only-tests-import-testing',
      severity: 'error',
      comment:
        '@crh/testing starts database servers and brokers for test runs; shipped code must never load it.',
      from: { pathNot: TEST_CODE },
      to: { path: '^packages/testing/' },
    },
    {
      name: 'only-tests-import-test-fixtures',
      severity: 'error',
      comment: "A workspace's testing/ folder holds fixtures for tests; shipped code must never load it.",
      from: { pathNot: TEST_CODE },
      to: { path: '^(packages|services)/[^/]+/testing/' },
    },
    {
      name: 'no-test-code-in-src',
      severity: 'error',
      comment:
        'src/ is what ships. Code that needs vitest is test code: name it *.test.ts, or move a shared ' +
        "fixture or suite to the workspace's testing/ folder (exported as <package>/testing).",
      from: {
        path: '^(packages|services|infra)/[^/]+/src/',
        pathNot: ['\\.test\\.ts$', '^packages/testing/'],
      },
      to: { path: '^node_modules/(vitest|@vitest)/' },
    },
    {
      name: 'workspaces-meet-through-their-exports',
      severity: 'error',
      comment:
        'Import another workspace by its package name (@crh/...), which goes through its package.json ' +
        'exports, never by a relative path into its files.',
      from: { path: '^(packages|services|infra)/([^/]+)/' },
      to: { path: '^(packages|services|infra)/', pathNot: '^$1/$2/', dependencyTypes: ['local'] },
    },
    {
      name: 'read-models-files-live-in-a-layer',
      severity: 'error',
      comment:
        'Every read-models file belongs to one layer folder (schema, queries, projection, rebuild, runner), ' +
        'so the layer rules see it.',
      from: { path: '^packages/read-models/src/[^/]+$' },
      to: {},
    },
    layer(
      'schema',
      ['queries', 'projection', 'rebuild', 'runner'],
      'read-models/schema is the bottom layer (tables, migrations, checkpoints, row writers): everything uses it, it uses none of them.',
    ),
    layer(
      'queries',
      ['projection', 'rebuild', 'runner'],
      'read-models/queries only read the tables (schema); they never write, so they need nothing of the projection.',
    ),
    layer(
      'projection',
      ['queries', 'rebuild', 'runner'],
      'read-models/projection turns batches of the log into rows; rebuilds and the runner use it, not the other way round.',
    ),
    layer(
      'rebuild',
      ['queries', 'runner'],
      "read-models/rebuild builds shadow tables with the projection's code; the runner decides when, so rebuild must not know the runner.",
    ),
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment: 'This import resolves to nothing: a typo, a missing export, or a dependency not installed.',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Built output (the dashboard's dist/: Vite's chunks import each other) is not our code's structure.
    exclude: { path: '^\\.crh/|/dist/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    // Declared dependencies are checked by test/workspaces/package-metadata.unit.test.ts
    // (dependency-cruiser cannot classify workspace links).
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.mjs', '.cjs', '.json'],
      mainFields: ['module', 'main', 'types'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
