// The metric names a PromQL expression reads, so that a dashboard can be
// checked against what the services really export. Not a PromQL parser: it
// handles what dashboards write (selectors, functions, aggregations with
// by/without, binary operators, ranges, offsets, numbers and strings).

const KEYWORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'bool',
  'and',
  'or',
  'unless',
  'offset',
  'inf',
  'nan',
]);

/** Every metric name `expr` selects, sorted, each once. */
export function promqlMetricNames(expr: string): string[] {
  const stripped = expr
    // Grafana's variables ($__rate_interval, ${service}) are not PromQL.
    .replace(/\$\{[^}]*\}|\$\w+/g, '1m')
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""')
    // Label matchers and lists, and ranges, name labels and durations, not metrics.
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\boffset\s+\w+/g, ' ');
  const names = new Set<string>();
  for (const match of stripped.matchAll(/(?<![\w.])([a-zA-Z_:][a-zA-Z0-9_:]*)(\s*\()?/g)) {
    const [, name, call] = match;
    if (call || KEYWORDS.has(name!.toLowerCase())) continue;
    names.add(name!);
  }
  return [...names].sort();
}

/** Every label name `expr` matches on or groups by, sorted, each once. */
export function promqlLabelNames(expr: string): string[] {
  const text = expr.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  const names = new Set<string>();
  for (const [, matchers] of text.matchAll(/\{([^}]*)\}/g)) {
    for (const [, name] of matchers!.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)/g)) names.add(name!);
  }
  for (const [, list] of text.matchAll(
    /\b(?:by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)/g,
  )) {
    for (const name of list!.split(',').map((n) => n.trim())) if (name) names.add(name);
  }
  return [...names].sort();
}

/** Every `expr` of a Grafana dashboard's panels (rows and their panels too) and query variables. */
export function dashboardExpressions(dashboard: unknown): string[] {
  const found: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return void node.forEach(walk);
    if (node === null || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node)) {
      if (key === 'expr' && typeof value === 'string') found.push(value);
      else if (key === 'query' && typeof value === 'object' && value !== null && 'query' in value) {
        const query = (value as { query: unknown }).query;
        if (typeof query === 'string') found.push(query);
      } else walk(value);
    }
  };
  walk(dashboard);
  return found;
}
