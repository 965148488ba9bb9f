import type { EventStore, RecordedEvent } from './port.ts';

/**
 * Reads and prepares the next item while the caller is still working on the
 * current one: the projector's database round trips and its CPU work (parsing,
 * folding) then overlap instead of taking turns. At most one item is ahead.
 */
export async function* readAhead<T, U>(source: AsyncIterable<T>, prepare: (item: T) => U): AsyncGenerator<U> {
  const iterator = source[Symbol.asyncIterator]();
  const pull = async (): Promise<IteratorResult<U>> => {
    const result = await iterator.next();
    return result.done ? { done: true, value: undefined } : { done: false, value: prepare(result.value) };
  };
  // The read ahead may fail (the database went away) while the caller is
  // still busy with the item before it, long before anything awaits it:
  // marked handled at once, or Node would end the process over an
  // "unhandled" rejection. Awaiting it below still throws its error.
  const ahead = () => {
    const read = pull();
    read.catch(() => undefined);
    return read;
  };
  let next = ahead();
  try {
    for (;;) {
      const result = await next;
      if (result.done) return;
      next = ahead();
      yield result.value;
    }
  } finally {
    // Settle the read in flight before closing the source, so nothing is left dangling.
    await next.catch(() => undefined);
    await iterator.return?.();
  }
}

/**
 * The global log from `after` to its end as it is while reading, batch by
 * batch (a catch-up that, unlike `subscribeAll`, stops at the end).
 */
export async function* readToEnd(
  store: Pick<EventStore, 'readAll'>,
  after: string | null,
  batchSize: number,
): AsyncGenerator<RecordedEvent[]> {
  for (;;) {
    const batch = await store.readAll({ after, limit: batchSize });
    const last = batch.at(-1);
    if (!last) return;
    yield batch;
    after = last.position;
  }
}
