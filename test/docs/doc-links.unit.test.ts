import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { brokenLinks, headingAnchors } from './markdown-links.ts';
import { REPO_ROOT, repositoryFiles } from './repository-files.ts';

const isDocumentation = (path: string) =>
  path === 'README.md' || (path.startsWith('docs/') && path.endsWith('.md'));

describe('relative links in README.md and docs/', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'crh-doc-links-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));
  const write = (path: string, text: string) => {
    mkdirSync(dirname(join(scratch, path)), { recursive: true });
    writeFileSync(join(scratch, path), text);
  };

  it('gives headings the anchors GitHub gives them', () => {
    const anchors = headingAnchors(
      [
        '# crh — customer-relationship health',
        "## Today's calls",
        '## `crh replay`: the log to a file',
        '## Events & envelopes',
        '## Limits',
        '## Limits',
        '```',
        '# not a heading',
        '```',
      ].join('\n'),
    );
    expect([...anchors]).toEqual([
      'crh--customer-relationship-health',
      'todays-calls',
      'crh-replay-the-log-to-a-file',
      'events--envelopes',
      'limits',
      'limits-1',
    ]);
  });

  it('are reported when a file, a folder or a heading is missing, or the link leaves the repository', () => {
    write('docs/api/events.md', '# Events\n\n## The envelope\n');
    write('docs/README.md', '# Docs\n\n## Contents\n');
    write(
      'README.md',
      [
        '[events](docs/api/events.md) [envelope](docs/api/events.md#the-envelope) [folder](docs/api/)',
        '[contents](#contents-here) [self](#crh) [site](https://example.org/x.md) [mail](mailto:a@b.c)',
        '[missing](docs/rules.md) [bad anchor](docs/api/events.md#the-catalogue) [outside](../beside/notes.md)',
        '`[in code](nowhere.md)`',
        '',
        '# crh',
      ].join('\n'),
    );
    expect(brokenLinks(scratch, 'README.md')).toEqual([
      '#contents-here: no heading #contents-here',
      'docs/rules.md: no such file',
      'docs/api/events.md#the-catalogue: no heading #the-catalogue',
      '../beside/notes.md: outside the repository',
    ]);
  });

  it('all resolve', () => {
    const files = repositoryFiles().filter(isDocumentation);
    expect(files).toContain('README.md');
    expect(files).toContain('docs/README.md');
    const broken = files.flatMap((file) =>
      brokenLinks(REPO_ROOT, file).map((problem) => `${file}: ${problem}`),
    );
    expect(broken).toEqual([]);
  });
});
