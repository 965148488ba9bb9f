import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import GithubSlugger from 'github-slugger';
import { Lexer, type Token, type Tokens, walkTokens } from 'marked';

/** Links and images of a Markdown text, as a renderer sees them (none from code blocks or spans). */
export function linkTargets(markdown: string): string[] {
  const targets: string[] = [];
  walkTokens(new Lexer().lex(markdown), (token) => {
    if (token.type === 'link' || token.type === 'image') targets.push((token as Tokens.Link).href);
  });
  return targets;
}

/** The anchors GitHub gives the headings of a Markdown text (duplicates numbered as GitHub does). */
export function headingAnchors(markdown: string): Set<string> {
  const slugger = new GithubSlugger();
  const anchors = new Set<string>();
  walkTokens(new Lexer().lex(markdown), (token) => {
    if (token.type === 'heading') anchors.add(slugger.slug(plainText((token as Tokens.Heading).tokens)));
  });
  return anchors;
}

/** The text a heading renders to: markup and inline HTML tags gone, entities decoded. */
function plainText(tokens: readonly Token[]): string {
  return tokens
    .map((token) => {
      if (token.type === 'html') return '';
      if ('tokens' in token && token.tokens) return plainText(token.tokens);
      return decodeEntities('text' in token ? String(token.text) : '');
    })
    .join('');
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", '#39': "'" };
const decodeEntities = (text: string) =>
  text.replace(/&(amp|lt|gt|quot|apos|#39);/g, (_, name) => ENTITIES[name]!);

const EXTERNAL = /^[a-z][a-z0-9+.-]*:/i;

/**
 * The links of one Markdown file of the repository that do not resolve: a
 * relative path that names no file or folder inside the repository, or an
 * `#anchor` that names no heading of the Markdown file it points into.
 * Links with a scheme (https:, mailto:) are not followed.
 */
export function brokenLinks(root: string, file: string): string[] {
  const source = join(root, file);
  const broken: string[] = [];
  for (const target of linkTargets(readFileSync(source, 'utf8'))) {
    if (EXTERNAL.test(target) || target.startsWith('//')) continue;
    const [pathPart = '', anchor] = splitOnce(target, '#');
    const path = decodeURIComponent(pathPart);
    const resolved = path === '' ? source : resolve(dirname(source), path);
    const inside = relative(root, resolved);
    if (inside.startsWith(`..${sep}`) || inside === '..' || path.startsWith('/')) {
      broken.push(`${target}: outside the repository`);
      continue;
    }
    if (!existsSync(resolved)) {
      broken.push(`${target}: no such file`);
      continue;
    }
    if (anchor !== undefined && resolved.endsWith('.md') && statSync(resolved).isFile()) {
      const anchors = headingAnchors(readFileSync(resolved, 'utf8'));
      if (!anchors.has(decodeURIComponent(anchor))) broken.push(`${target}: no heading #${anchor}`);
    }
  }
  return broken;
}

function splitOnce(text: string, separator: string): [string, string?] {
  const at = text.indexOf(separator);
  return at < 0 ? [text] : [text.slice(0, at), text.slice(at + 1)];
}
