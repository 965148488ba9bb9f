/**
 * In-process locks by stream name, so appends of one store to the same
 * stream queue up instead of racing each other to a revision conflict and a
 * retry. Several locks are always taken in sorted order, so two batches that
 * share streams can never wait on each other in a cycle. Other processes are
 * not excluded: their races end in a conflict and a retry (see append).
 */
export class StreamLocks {
  readonly #tails = new Map<string, Promise<void>>();

  async withLocks<T>(streams: readonly string[], work: () => Promise<T>): Promise<T> {
    const releases: (() => void)[] = [];
    try {
      for (const stream of [...new Set(streams)].sort()) releases.push(await this.#acquire(stream));
      return await work();
    } finally {
      for (const release of releases) release();
    }
  }

  async #acquire(stream: string): Promise<() => void> {
    const previous = this.#tails.get(stream) ?? Promise.resolve();
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = previous.then(() => held);
    this.#tails.set(stream, tail);
    await previous;
    return () => {
      release();
      // The last holder leaves no entry behind.
      if (this.#tails.get(stream) === tail) this.#tails.delete(stream);
    };
  }
}
