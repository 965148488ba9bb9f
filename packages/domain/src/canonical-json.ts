/**
 * JSON with every object's keys sorted, at every depth: two values are the
 * same JSON (structurally, whatever their key order) exactly when their
 * canonical texts are equal. What idempotency compares a re-sent envelope by.
 */
export function canonicalJson(value: unknown): string {
  // Nothing to sort in a string or number: the replacer would only cost (sealing calls this per field).
  if (typeof value !== 'object' || value === null) return JSON.stringify(value);
  return JSON.stringify(value, (_key, current: unknown) => {
    if (typeof current !== 'object' || current === null || Array.isArray(current)) return current;
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(current).sort()) sorted[key] = (current as Record<string, unknown>)[key];
    return sorted;
  });
}

/** The content of an envelope that its id stands for: everything but the id and expectedRevision. */
export function envelopeContent(event: {
  type: string;
  customerId: string;
  occurredAt: string;
  actorId?: string | null | undefined;
  data: unknown;
  metadata?: Record<string, unknown> | null | undefined;
}): string {
  return canonicalJson([
    event.type,
    event.customerId,
    new Date(event.occurredAt).toISOString(),
    event.actorId ?? null,
    event.data ?? null,
    event.metadata ?? null,
  ]);
}
