const ENTRY = /^([a-z]+)\s*=\s*(\d+(?:\.\d+)?)$/;

/**
 * Parses `name=number,...` settings (health weights, complaint SLA hours);
 * names not given keep their default, unknown names and values over `max`
 * are errors naming the entry.
 */
export function parseNamedNumbers<T extends Record<string, number>>(
  text: string,
  defaults: T,
  what: string,
  max: number,
): T {
  const values: Record<string, number> = { ...defaults };
  for (const entry of text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const m = ENTRY.exec(entry);
    if (!m || !Object.hasOwn(defaults, m[1]!)) {
      throw new Error(
        `${what} "${entry}" is not name=number with name one of ${Object.keys(defaults).join(', ')}.`,
      );
    }
    const value = Number(m[2]);
    if (value > max) throw new Error(`${what} ${m[1]} must be at most ${max} (got ${value}).`);
    values[m[1]!] = value;
  }
  return values as T;
}
