import { open, readFile, rename } from 'node:fs/promises';
import type { ReplayQuery } from './replay-reader.ts';

/**
 * How far a replay got, stored after each durable batch. A replay started
 * again with the same checkpoint reads from `after` to the same `upTo`, so
 * the two runs together write what one would have.
 */
export interface ReplayCheckpoint {
  version: 1;
  /** The output, e.g. `file:/abs/path` or `kafka:topic`: a checkpoint resumes only its own. */
  target: string;
  /** The filters as given the first time; a resume must give the same. */
  query: ReplayQuery;
  /** Where the replay ends (the head when it first started, unless given). */
  upTo: string | null;
  /** Position of the last line written and flushed (file) or acknowledged (Kafka). */
  after: string | null;
  /** Lines written so far. */
  lines: number;
  /** Bytes written so far: a resumed file is cut back to this length. */
  bytes: number;
  done: boolean;
}

export async function readCheckpoint(path: string): Promise<ReplayCheckpoint | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  let parsed: Partial<ReplayCheckpoint>;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`${path} is not a replay checkpoint (not JSON)`);
  }
  if (
    parsed.version !== 1 ||
    typeof parsed.target !== 'string' ||
    typeof parsed.query !== 'object' ||
    parsed.query === null ||
    typeof parsed.lines !== 'number' ||
    typeof parsed.bytes !== 'number' ||
    typeof parsed.done !== 'boolean'
  ) {
    throw new Error(`${path} is not a replay checkpoint`);
  }
  return parsed as ReplayCheckpoint;
}

/**
 * Written whole or not at all: a temporary file, flushed, renamed over the
 * old one. A crash leaves either the previous checkpoint or this one.
 */
export async function writeCheckpoint(path: string, checkpoint: ReplayCheckpoint): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  const handle = await open(temporary, 'w');
  try {
    await handle.writeFile(`${JSON.stringify(checkpoint, null, 2)}\n`);
    await handle.datasync();
  } finally {
    await handle.close();
  }
  await rename(temporary, path);
}

/** How two sets of filters differ, one line per filter; empty when they are the same. */
export function queryDifferences(stored: ReplayQuery, given: ReplayQuery): string[] {
  const names = new Set([...Object.keys(stored), ...Object.keys(given)]) as Set<keyof ReplayQuery>;
  const shown = (value: string | undefined) => (value === undefined ? '(none)' : value);
  return [...names]
    .filter((name) => stored[name] !== given[name])
    .map((name) => `${name}: checkpoint ${shown(stored[name])}, command line ${shown(given[name])}`);
}
