/**
 * What the event store can keep exactly. PostgreSQL's text and jsonb refuse
 * NUL (U+0000) and cannot hold an unpaired UTF-16 surrogate (the driver's
 * UTF-8 encoding turns it into U+FFFD); JSON.parse turns a number beyond
 * float range into Infinity (which JSON.stringify writes as null) and
 * rounds integers beyond 2^53. Each would be an error at the store or a
 * silent change, so the envelope is refused instead, naming the place.
 */

/** Deeper than any real envelope; also what keeps the walk and jsonb far from their limits. */
export const MAX_JSON_DEPTH = 32;

export interface StorableIssue {
  path: string;
  message: string;
}

/** `a.b`, `a.0`, or `a["odd key"]` for keys that are not plain words (escaped as JSON). */
export function childPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return parent === '' ? String(key) : `${parent}.${key}`;
  if (/^[A-Za-z0-9_$-]+$/.test(key)) return parent === '' ? key : `${parent}.${key}`;
  return `${parent}[${JSON.stringify(key)}]`;
}

/** Why a string cannot be stored as it is, or null when it can. */
export function unstorableText(text: string): string | null {
  const nul = text.indexOf('\u0000');
  if (nul >= 0) return `contains a NUL character (U+0000) at offset ${nul}, which cannot be stored`;
  if (!text.isWellFormed()) {
    const at = firstLoneSurrogate(text);
    const unit = text.charCodeAt(at).toString(16).toUpperCase();
    return `contains an unpaired surrogate (U+${unit}) at offset ${at}, which is not valid Unicode text`;
  }
  return null;
}

function firstLoneSurrogate(text: string): number {
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
      else return i;
    } else if (unit >= 0xdc00 && unit <= 0xdfff) return i;
  }
  return -1;
}

/**
 * Every string, object key and number in `value` that cannot be stored as
 * it is, with its path (prefixed by `root`). Iterative, so no input can
 * exhaust the stack; nesting beyond MAX_JSON_DEPTH is itself an issue.
 */
export function unstorableJson(value: unknown, root: string): StorableIssue[] {
  const issues: StorableIssue[] = [];
  const stack: { value: unknown; path: string; depth: number }[] = [{ value, path: root, depth: 0 }];
  while (stack.length > 0) {
    const { value: current, path, depth } = stack.pop()!;
    if (typeof current === 'string') {
      const why = unstorableText(current);
      if (why) issues.push({ path, message: `${path || 'the value'} ${why}.` });
    } else if (typeof current === 'number') {
      if (!Number.isFinite(current)) {
        issues.push({ path, message: `${path} is a number too large to store (beyond ±1.8e308).` });
      } else if (Number.isInteger(current) && !Number.isSafeInteger(current)) {
        issues.push({
          path,
          message: `${path} is an integer beyond ±9007199254740991, which JSON numbers do not keep exactly; send it as a string.`,
        });
      }
    } else if (typeof current === 'object' && current !== null) {
      if (depth >= MAX_JSON_DEPTH) {
        issues.push({ path, message: `${path} nests deeper than ${MAX_JSON_DEPTH} levels.` });
        continue;
      }
      const entries: [string | number, unknown][] = Array.isArray(current)
        ? current.map((item, i) => [i, item])
        : Object.entries(current);
      // Pushed in reverse so issues come out in document order.
      for (let i = entries.length - 1; i >= 0; i--) {
        const [key, child] = entries[i]!;
        const childAt = childPath(path, key);
        if (typeof key === 'string') {
          const why = unstorableText(key);
          if (why) {
            issues.push({ path: childAt, message: `the key of ${childAt} ${why}.` });
            continue;
          }
        }
        stack.push({ value: child, path: childAt, depth: depth + 1 });
      }
    }
  }
  return issues;
}
