/**
 * What points outside the repository: the notes a clone does not have (the
 * product brief, the wire contract, the architecture and style notes, the
 * folder they live in, the numbered source texts). The project's own words
 * for all of it live under docs/. "seed" alone stays legitimate: demo data
 * (`--seed-demo`) and random generators (`seed: 7`) use it.
 */
export const OUTSIDE_REFERENCES: readonly { name: string; pattern: RegExp }[] = [
  { name: 'a note outside the repository', pattern: /\b(?:DOMAIN|CONTRACT|ARCHITECTURE|STYLE)\.md\b/ },
  { name: 'the folder beside the repository', pattern: /\.\.\/shared\b/ },
  { name: 'a numbered source text', pattern: /\bseeds?\s+0\d\d\b/i },
  { name: 'the folder of source texts', pattern: /\bseeds\// },
];

export interface OutsideReference {
  line: number;
  name: string;
  text: string;
}

/** Every line of `text` that points outside the repository, with what it points at. */
export function outsideReferences(text: string): OutsideReference[] {
  const found: OutsideReference[] = [];
  text.split('\n').forEach((line, index) => {
    for (const { name, pattern } of OUTSIDE_REFERENCES) {
      if (pattern.test(line)) found.push({ line: index + 1, name, text: line.trim().slice(0, 160) });
    }
  });
  return found;
}
