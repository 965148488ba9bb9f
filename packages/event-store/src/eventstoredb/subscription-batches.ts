/** Anything that hands out items one at a time, like an EsdbSubscription. */
export interface ItemSource<T> {
  next(): Promise<IteratorResult<T>>;
}

export interface BatchingOptions {
  batchSize: number;
  /** How long to wait for more items once one has arrived. */
  lingerMs: number;
  signal: AbortSignal;
}

/**
 * Groups a subscription's items into batches: whatever arrives within
 * `lingerMs` of the first item, up to `batchSize` (items already buffered
 * arrive at once, so a catch-up fills whole batches). Ends when the signal
 * aborts; a source that ends on its own is an error, since a live
 * subscription only ends when dropped.
 */
export async function* subscriptionBatches<T>(
  source: ItemSource<T>,
  options: BatchingOptions,
): AsyncGenerator<T[]> {
  const { signal } = options;
  const aborted = new Promise<'aborted'>((resolve) => {
    if (signal.aborted) resolve('aborted');
    else signal.addEventListener('abort', () => resolve('aborted'), { once: true });
  });
  let pending: Promise<IteratorResult<T>> | undefined;
  const pull = (): Promise<IteratorResult<T>> => {
    if (pending === undefined) {
      pending = source.next();
      // Abandoned on abort: its rejection (the stopped subscription) is nobody's error.
      pending.catch(() => undefined);
    }
    return pending;
  };
  const ended = (): never => {
    throw new Error('the event store subscription ended without being aborted');
  };

  while (!signal.aborted) {
    const first = await Promise.race([pull(), aborted]);
    if (first === 'aborted') return;
    pending = undefined;
    if (first.done) return ended();
    const batch: T[] = [first.value];
    let timer: NodeJS.Timeout | undefined;
    const lingered = new Promise<'lingered'>((resolve) => {
      timer = setTimeout(() => resolve('lingered'), options.lingerMs);
    });
    try {
      while (batch.length < options.batchSize) {
        const next = await Promise.race([pull(), lingered, aborted]);
        if (next === 'aborted') return;
        if (next === 'lingered') break;
        pending = undefined;
        if (next.done) {
          yield batch;
          return ended();
        }
        batch.push(next.value);
      }
    } finally {
      clearTimeout(timer);
    }
    yield batch;
  }
}
