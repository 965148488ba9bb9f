import { once } from 'node:events';
import { open, stat } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { createKafkaClient, ensureTopic } from '@crh/messaging/kafka';
import kafkajs, { type Message } from 'kafkajs';

/** Where a replay's lines go. */
export interface ReplaySink {
  /** What the summary line names, e.g. `file events.ndjson`. */
  readonly name: string;
  /**
   * Writes lines (each without its newline), in order. Resolves once they
   * are as durable as this output gets (see each sink) and the output has
   * room for more: the replay reads on only then.
   */
  write(lines: readonly string[]): Promise<void>;
  /** Bytes written since the sink was opened. */
  readonly bytes: number;
  close(): Promise<void>;
}

/**
 * A stream such as stdout. A write is done when the stream has handed it
 * on (its callback) and, if its buffer was full, after 'drain'.
 */
export function streamSink(stream: Writable, name: string): ReplaySink {
  let bytes = 0;
  let failed: Error | undefined;
  // A closed pipe (`crh replay | head`) is reported on the next write.
  stream.on('error', (error) => {
    failed = error;
  });
  return {
    name,
    get bytes() {
      return bytes;
    },
    async write(lines) {
      if (failed) throw failed;
      if (lines.length === 0) return;
      const text = `${lines.join('\n')}\n`;
      bytes += Buffer.byteLength(text);
      let roomLeft = true;
      const written = new Promise<void>((resolve, reject) => {
        roomLeft = stream.write(text, (error) => (error ? reject(error) : resolve()));
      });
      await Promise.all([written, roomLeft ? undefined : once(stream, 'drain')]);
    },
    async close() {},
  };
}

/**
 * A file, written from byte `startAt` on: what was there after it (a line
 * written before a crash but never checkpointed, or half a line) is cut
 * first, so a resumed replay continues exactly where its checkpoint says.
 * Each write is flushed to disk (fdatasync) before it resolves, so the
 * checkpoint written after it never names lines the disk may lose.
 */
export async function fileSink(path: string, startAt: number): Promise<ReplaySink> {
  const size = await stat(path).then(
    (s) => s.size,
    (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return null;
      throw error;
    },
  );
  if (startAt > 0 && (size ?? 0) < startAt) {
    throw new Error(
      `${path} holds ${size ?? 0} bytes but the checkpoint says ${startAt} were written: it is not the file this checkpoint is for`,
    );
  }
  const handle = await open(path, size === null ? 'w' : 'r+');
  await handle.truncate(startAt);
  let position = startAt;
  return {
    name: `file ${path}`,
    get bytes() {
      return position - startAt;
    },
    async write(lines) {
      if (lines.length === 0) return;
      const data = Buffer.from(`${lines.join('\n')}\n`);
      let offset = 0;
      while (offset < data.length) {
        const { bytesWritten } = await handle.write(data, offset, data.length - offset, position + offset);
        offset += bytesWritten;
      }
      position += data.length;
      await handle.datasync();
    },
    close: () => handle.close(),
  };
}

export interface KafkaSinkOptions {
  brokers: string[];
  topic: string;
  /** Partitions the topic is created with when missing; an existing topic keeps its own. */
  partitions: number;
  /** Where kafkajs's warnings and errors go. */
  warn: (line: string) => void;
}

/** Per produce request: under the broker's default max.message.bytes (1 MiB) for any partition's share. */
const REQUEST_BYTES = 768 * 1024;
const REQUEST_MESSAGES = 1000;

/**
 * A Kafka topic, as the relay writes one: key = customerId (one customer's
 * events in one partition, in order), value = the line, headers `type` and
 * `position`, timestamp = recordedAt, gzip. The topic is created when
 * missing with unlimited retention, like the relay's. The producer is
 * idempotent with one request in flight, and a write resolves when every
 * in-sync replica has acknowledged it (acks=all): broker retries neither
 * duplicate nor reorder.
 */
export async function kafkaSink(options: KafkaSinkOptions): Promise<ReplaySink> {
  const kafka = createKafkaClient({
    brokers: options.brokers,
    clientId: 'crh-replay',
    logger: {
      info: () => {},
      warn: (_obj, msg) => options.warn(msg ?? 'kafka warning'),
      error: (_obj, msg) => options.warn(msg ?? 'kafka error'),
    },
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    await ensureTopic(admin, {
      topic: options.topic,
      partitions: options.partitions,
      config: { 'retention.ms': '-1', 'retention.bytes': '-1' },
    });
  } finally {
    await admin.disconnect();
  }
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    // Murmur2 of the key, as Java clients and the relay partition.
    createPartitioner: kafkajs.Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  let bytes = 0;
  const send = (messages: Message[]) =>
    producer.send({
      topic: options.topic,
      messages,
      acks: -1,
      compression: kafkajs.CompressionTypes.GZIP,
    });
  return {
    name: `Kafka topic ${options.topic}`,
    get bytes() {
      return bytes;
    },
    async write(lines) {
      let request: Message[] = [];
      let requestBytes = 0;
      for (const line of lines) {
        const message = toMessage(line);
        const size = Buffer.byteLength(line);
        if (
          request.length > 0 &&
          (requestBytes + size > REQUEST_BYTES || request.length >= REQUEST_MESSAGES)
        ) {
          await send(request);
          request = [];
          requestBytes = 0;
        }
        request.push(message);
        requestBytes += size;
        bytes += size;
      }
      if (request.length > 0) await send(request);
    },
    close: () => producer.disconnect(),
  };
}

function toMessage(line: string): Message {
  const event = JSON.parse(line) as {
    customerId?: unknown;
    type?: unknown;
    position?: unknown;
    recordedAt?: unknown;
  };
  if (
    typeof event.customerId !== 'string' ||
    typeof event.type !== 'string' ||
    typeof event.position !== 'string'
  ) {
    throw new Error(`a replayed line is not a stored envelope: ${line.slice(0, 200)}`);
  }
  const recordedAt = typeof event.recordedAt === 'string' ? Date.parse(event.recordedAt) : Number.NaN;
  return {
    key: event.customerId,
    value: line,
    headers: { type: event.type, position: event.position },
    ...(Number.isNaN(recordedAt) ? {} : { timestamp: String(recordedAt) }),
  };
}
