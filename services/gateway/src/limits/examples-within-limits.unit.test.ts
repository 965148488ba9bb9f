import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type DocumentNode, type GraphQLError, parse, validate } from 'graphql';
import { createYoga } from 'graphql-yoga';
import { describe, expect, it } from 'vitest';
import { schema } from '../schema/index.ts';
import { operationCost } from './cost-limit.ts';
import { DEFAULT_GRAPHQL_LIMITS, DEVELOPMENT_EXPOSURE } from './graphql-limits.ts';
import { useGraphQLLimits } from './limit-plugins.ts';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

/**
 * Every GraphQL document written out in the repository: ```graphql blocks
 * and JSON "query" strings of the docs, and string literals of the tests and
 * benchmarks that read as a document (interpolations stand in as `x`; a
 * document that then no longer validates is left out).
 */
function examples(): { file: string; text: string }[] {
  const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], {
    cwd: ROOT,
    encoding: 'utf8',
  })
    .split('\n')
    .filter((f) => /\.md$/.test(f) || /\.test\.ts$/.test(f) || /^services\/cli\/src\/bench\/.*\.ts$/.test(f));
  const found: { file: string; text: string }[] = [];
  for (const file of files) {
    let source: string;
    try {
      source = readFileSync(join(ROOT, file), 'utf8');
    } catch {
      continue; // listed but deleted in the work tree
    }
    const texts = [
      ...[...source.matchAll(/```graphql\n([\s\S]*?)```/g)].map((m) => m[1]!),
      ...[...source.matchAll(/"query"\s*:\s*"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]!.replace(/\\(.)/g, '$1')),
      ...[...source.matchAll(/[`'](\s*(?:\{|query\b|subscription\b)[^`']*)[`']/g)].map((m) =>
        m[1]!.replace(/\$\{[^}]*\}/g, 'x'),
      ),
    ];
    for (const text of texts) {
      let document: DocumentNode;
      try {
        document = parse(text);
      } catch {
        continue;
      }
      if (validate(schema, document).length === 0) found.push({ file, text });
    }
  }
  return found;
}

describe('the default limits', () => {
  const all = examples();
  const yoga = createYoga({
    schema,
    plugins: useGraphQLLimits({ limits: DEFAULT_GRAPHQL_LIMITS, exposure: DEVELOPMENT_EXPOSURE }),
  });

  it('find the repository’s examples (docs, tests, benchmarks)', () => {
    expect(all.length).toBeGreaterThan(40);
    expect(all.some((e) => e.file === 'docs/api/graphql/relationships.md')).toBe(true);
    expect(all.some((e) => e.file.startsWith('services/cli/src/bench/'))).toBe(true);
  });

  it('let every one of them through: tokens, depth, aliases, directives and cost', () => {
    for (const { file, text } of all) {
      const { parse: parseWithLimits, validate: validateWithLimits } = yoga.getEnveloped({ params: {} });
      const document = parseWithLimits(text);
      const errors = validateWithLimits(schema, document) as GraphQLError[];
      expect(
        errors.map((e) => e.message),
        `${file}: ${text}`,
      ).toEqual([]);
      const cost = operationCost({ schema, document, variableValues: {} }) ?? 0;
      expect(cost, `${file}: ${text}`).toBeLessThanOrEqual(DEFAULT_GRAPHQL_LIMITS.cost);
    }
  });
});
