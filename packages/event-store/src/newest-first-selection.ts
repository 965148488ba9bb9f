import { compareTimeKeys, type RecordedEvent, type TimeKey } from './port.ts';

/**
 * The newest `limit` events older than `after`, from events offered in any
 * order: for a store that cannot order a stream by occurredAt itself. Holds
 * at most `limit` events, newest first, whatever the stream's length.
 */
export class NewestFirstSelection {
  readonly #limit: number;
  readonly #after: TimeKey | null;
  readonly #kept: RecordedEvent[] = [];

  constructor(limit: number, after: TimeKey | null | undefined) {
    this.#limit = Math.max(0, Math.floor(limit));
    this.#after = after ?? null;
  }

  offer(event: RecordedEvent): void {
    if (this.#after && compareTimeKeys(event, this.#after) >= 0) return;
    const kept = this.#kept;
    if (kept.length === this.#limit && (kept.length === 0 || compareTimeKeys(event, kept.at(-1)!) <= 0))
      return;
    // Binary search for the first kept event older than this one.
    let low = 0;
    let high = kept.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (compareTimeKeys(kept[mid]!, event) > 0) low = mid + 1;
      else high = mid;
    }
    kept.splice(low, 0, event);
    if (kept.length > this.#limit) kept.pop();
  }

  /** The selection, newest first. */
  get events(): RecordedEvent[] {
    return [...this.#kept];
  }
}
