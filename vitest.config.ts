import { defineConfig } from 'vitest/config';

// Tests are grouped by level (file-name suffix) so the test command can run
// unit -> integration -> e2e and stop at the first level that fails.
const exclude = ['**/node_modules/**', '**/.crh/**'];

export default defineConfig({
  resolve: {
    // graphql 16 ships CJS (main) and ESM (module) copies. Node loads the CJS
    // one for graphql-yoga, Vite would pick the ESM one for our sources: two
    // GraphQLError classes, and yoga would mask our coded errors in tests only.
    alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }],
  },
  test: {
    // A developer's .env configures their platform, not the tests: every test
    // sets what it needs, and the services tests start read no .env either.
    env: { CRH_ENV_FILE: '' },
    projects: [
      { extends: true, test: { name: 'unit', include: ['**/*.unit.test.ts'], exclude } },
      {
        extends: true,
        test: {
          name: 'int',
          include: ['**/*.int.test.ts'],
          exclude,
          globalSetup: ['packages/testing/src/global-setup.ts', 'packages/testing/src/kafka-global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['**/*.e2e.test.ts'],
          exclude,
          globalSetup: ['packages/testing/src/global-setup.ts', 'packages/testing/src/kafka-global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
