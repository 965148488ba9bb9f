import pg from 'pg';

/**
 * Wakes a caught-up subscriber early when a NOTIFY arrives on `channel`.
 *
 * It listens on its own connection, outside the pool, so a long-lived LISTEN
 * never takes a slot from queries. A notification only hints that something
 * committed: the event may not be readable yet (an older transaction still
 * running keeps it above xmin), so callers also poll on a timeout. If the
 * connection fails, waits simply fall back to that timeout.
 */
export class NotificationWaker {
  #client: pg.Client | null;
  #pending = false;
  #wake: (() => void) | null = null;

  private constructor(client: pg.Client) {
    this.#client = client;
    client.on('notification', () => {
      this.#pending = true;
      this.#wake?.();
    });
    client.on('error', () => {
      // Connection lost: keep going on the poll interval alone.
      this.#client = null;
      client.end().catch(() => undefined);
    });
  }

  static async open(pool: pg.Pool, channel: string): Promise<NotificationWaker> {
    const client = new pg.Client(pool.options);
    await client.connect();
    try {
      await client.query(`listen ${client.escapeIdentifier(channel)}`);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    return new NotificationWaker(client);
  }

  /** Forget earlier notifications: call right before reading. */
  arm(): void {
    this.#pending = false;
  }

  /** Resolves on a notification since `arm()`, after `timeoutMs`, or on abort. */
  wait(timeoutMs: number, signal: AbortSignal): Promise<void> {
    if (this.#pending || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        this.#wake = null;
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      signal.addEventListener('abort', done, { once: true });
      this.#wake = done;
    });
  }

  async close(): Promise<void> {
    const client = this.#client;
    this.#client = null;
    this.#wake?.();
    await client?.end().catch(() => undefined);
  }
}
