import { resolve } from 'node:path';
import type { PlatformConfig } from '@crh/config';
import { normaliseRfc3339 } from '@crh/domain';
import { NoTokenError } from '../platform/local-token.ts';
import {
  queryDifferences,
  type ReplayCheckpoint,
  readCheckpoint,
  writeCheckpoint,
} from './replay-checkpoint.ts';
import { formatCount, formatSummary, progressLine } from './replay-progress.ts';
import {
  countReplay,
  IngestRefusedError,
  type ReplayQuery,
  ReplayQueryError,
  type ReplaySource,
  replayBatches,
} from './replay-reader.ts';
import { fileSink, kafkaSink, type ReplaySink, streamSink } from './replay-sinks.ts';
import { type ReplayToken, replayToken } from './replay-token.ts';

/** The flags of `crh replay` as the command line gave them (cli-program.ts parses and lists them). */
export interface ReplayFlags {
  url?: string;
  token?: string;
  after?: string;
  upTo?: string;
  from?: string;
  to?: string;
  types?: string;
  customer?: string;
  limit?: string;
  out?: string;
  topic?: string;
  brokers?: string;
  partitions?: number;
  checkpoint?: string;
  batch?: number;
  quiet?: boolean;
}

/** Flags that exclude each other, or a resume that does not fit its checkpoint: exit 2. */
class UsageError extends Error {}

/** Ingest refused the token (401, 403): its own exit code, so scripts can tell it from a failure. */
export const REFUSED_EXIT_CODE = 3;

interface ReplayOptions {
  source: ReplaySource;
  query: ReplayQuery;
  out?: string;
  topic?: string;
  brokers: string[];
  partitions: number;
  checkpoint?: string;
  batchLines: number;
  quiet: boolean;
}

/**
 * `crh replay`: returns the exit code (0 done, 1 failed, 2 usage, refused
 * query or no token to be had, 3 token refused, 130 interrupted).
 */
export async function replayCommand(config: PlatformConfig, flags: ReplayFlags): Promise<number> {
  const say = (line: string) => process.stderr.write(`${line}\n`);
  let token: ReplayToken | undefined;
  try {
    token = await replayToken(config, flags.token);
    return await replay(replayOptions(config, flags, token), say);
  } catch (error) {
    if (error instanceof IngestRefusedError) {
      say(`crh replay: ${error.message}; ${refusalAdvice(error, token)}`);
      return REFUSED_EXIT_CODE;
    }
    if (error instanceof UsageError || error instanceof NoTokenError) {
      say(`crh replay: ${error.message}`);
      return 2;
    }
    if (error instanceof ReplayQueryError) {
      say(`crh replay: ${error.message}`);
      for (const line of error.errors) say(`  ${line}`);
      return 2;
    }
    // The reader of stdout went away (`crh replay | head`): stop quietly,
    // with the status a process killed by SIGPIPE has, as other tools do.
    if ((error as NodeJS.ErrnoException).code === 'EPIPE') return 141;
    // IngestUnreachableError and the rest: one line, no stack.
    say(`crh replay: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}

/** What to do about a refused token, knowing where it came from. */
function refusalAdvice(error: IngestRefusedError, token: ReplayToken | undefined): string {
  if (error.status === 403) return 'replaying needs a token with the analyst or admin role';
  if (!token?.authorization)
    return 'no token was sent (CRH_AUTH=off here): give one with --token or CRH_TOKEN';
  return `the token came from ${token.source}; give a valid one with --token or CRH_TOKEN`;
}

function replayOptions(config: PlatformConfig, values: ReplayFlags, token: ReplayToken): ReplayOptions {
  if (values.out !== undefined && values.topic !== undefined) {
    throw new UsageError('--out and --topic exclude each other: one output per replay');
  }
  const brokers = (values.brokers?.split(',') ?? config.env.KAFKA_BROKERS ?? [])
    .map((b) => b.trim())
    .filter((b) => b !== '');
  if (values.topic !== undefined && brokers.length === 0) {
    throw new UsageError('--topic needs --brokers host:port,... (or KAFKA_BROKERS)');
  }
  return {
    source: {
      base: values.url ?? `http://localhost:${config.env.INGEST_PORT}`,
      authorization: token.authorization,
    },
    query: normalisedQuery({
      after: values.after,
      upTo: values.upTo,
      from: values.from,
      to: values.to,
      types: values.types,
      customerId: values.customer,
      limit: values.limit,
    }),
    out: values.out,
    topic: values.topic,
    brokers,
    partitions: values.partitions ?? 12,
    checkpoint: values.checkpoint,
    batchLines: values.batch ?? 1000,
    quiet: values.quiet ?? false,
  };
}

/**
 * The filters in one spelling, so a resume's command line compares equal
 * to its checkpoint's whenever it means the same: types sorted, instants
 * in UTC. What does not parse is passed on as given, for the server to refuse.
 */
function normalisedQuery(query: ReplayQuery): ReplayQuery {
  const normal: ReplayQuery = {};
  for (const [name, value] of Object.entries(query) as [keyof ReplayQuery, string | undefined][]) {
    if (value !== undefined) normal[name] = value;
  }
  for (const name of ['from', 'to'] as const) {
    const value = normal[name];
    if (value !== undefined) normal[name] = normaliseRfc3339(value) ?? value;
  }
  if (normal.types !== undefined) {
    const types = [...new Set(normal.types.split(',').map((t) => t.trim()))].filter((t) => t !== '');
    normal.types = types.sort().join(',');
  }
  return normal;
}

async function replay(options: ReplayOptions, say: (line: string) => void): Promise<number> {
  const target = options.out
    ? `file:${resolve(options.out)}`
    : options.topic
      ? `kafka:${options.topic}`
      : 'stdout';
  const stored = options.checkpoint ? await readCheckpoint(options.checkpoint) : null;
  if (stored) {
    if (stored.target !== target) {
      throw new UsageError(
        `${options.checkpoint} is the checkpoint of a replay to ${stored.target}, not ${target}`,
      );
    }
    const differences = queryDifferences(stored.query, options.query);
    if (differences.length > 0) {
      throw new UsageError(
        `${options.checkpoint} is the checkpoint of a replay with other filters; give the same ones to resume it (or another --checkpoint):\n  ${differences.join('\n  ')}`,
      );
    }
    if (stored.done) {
      say(
        `already complete: ${options.checkpoint} records all ${formatCount(stored.lines)} events written to ${stored.target}`,
      );
      return 0;
    }
  }

  // Counting first fixes the end (upTo) for the progress total and the
  // stream alike, and a refused filter is reported before any output is touched.
  const counted = await countReplay(
    options.source,
    stored ? { ...options.query, upTo: stored.upTo ?? undefined } : options.query,
  );
  const upTo = stored ? stored.upTo : counted.upTo;
  const checkpoint: ReplayCheckpoint = stored ?? {
    version: 1,
    target,
    query: options.query,
    upTo,
    after: options.query.after ?? null,
    lines: 0,
    bytes: 0,
    done: false,
  };
  const saveCheckpoint = () =>
    options.checkpoint ? writeCheckpoint(options.checkpoint, checkpoint) : undefined;
  await saveCheckpoint();
  const resumedAfter = checkpoint.lines;
  const startBytes = checkpoint.bytes;

  const left = options.query.limit === undefined ? undefined : Number(options.query.limit) - checkpoint.lines;
  const sink = await openSink(options, startBytes, say);
  const showProgress = process.stderr.isTTY && !options.quiet;
  const progress = showProgress
    ? progressLine(process.stderr, {
        total: upTo === null ? 0 : counted.events,
        startedWith: checkpoint.lines,
      })
    : null;
  const interrupt = new AbortController();
  const onSignal = () => interrupt.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const started = performance.now();
  try {
    progress?.update(checkpoint.lines, true);
    // Nothing to read: an empty log, or a limit the earlier run used up.
    if (upTo !== null && (left === undefined || left > 0)) {
      const query = {
        ...options.query,
        after: checkpoint.after ?? undefined,
        upTo,
        limit: left === undefined ? undefined : String(left),
      };
      for await (const lines of replayBatches(options.source, query, {
        batchLines: options.batchLines,
        signal: interrupt.signal,
      })) {
        // The checkpoint moves only once the sink has the batch durably
        // (file: fdatasync; Kafka: acks from all in-sync replicas; stdout:
        // handed to the pipe). After a crash in between, a file is cut back
        // to `bytes`, so nothing repeats; Kafka and stdout get that one batch
        // again (at least once at the seam).
        await sink.write(lines);
        checkpoint.after = positionOf(lines.at(-1)!);
        checkpoint.lines += lines.length;
        checkpoint.bytes = startBytes + sink.bytes;
        await saveCheckpoint();
        progress?.update(checkpoint.lines);
      }
    }
    checkpoint.done = true;
    await saveCheckpoint();
  } catch (error) {
    if (!interrupt.signal.aborted) throw error;
    progress?.finish(checkpoint.lines);
    say(
      `crh replay: interrupted after ${formatCount(checkpoint.lines)} events${options.checkpoint ? `; run the same command again to resume from ${options.checkpoint}` : ''}`,
    );
    return 130;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await sink.close();
  }
  progress?.finish(checkpoint.lines);
  if (!options.quiet) {
    const seconds = (performance.now() - started) / 1000;
    const events = checkpoint.lines - resumedAfter;
    say(formatSummary({ events, seconds, target: sink.name, resumedAfter }));
  }
  return 0;
}

function openSink(
  options: ReplayOptions,
  startBytes: number,
  say: (line: string) => void,
): Promise<ReplaySink> {
  if (options.out) return fileSink(options.out, startBytes);
  if (options.topic) {
    return kafkaSink({
      brokers: options.brokers,
      topic: options.topic,
      partitions: options.partitions,
      warn: (line) => say(`crh replay: kafka: ${line}`),
    });
  }
  return Promise.resolve(streamSink(process.stdout, 'stdout'));
}

function positionOf(line: string): string {
  const position = (JSON.parse(line) as { position?: unknown }).position;
  if (typeof position !== 'string') throw new Error(`a replayed line has no position: ${line.slice(0, 200)}`);
  return position;
}
