import { type AppendEvent, IdConflictError, WrongExpectedRevisionError } from '../port.ts';
import { appendFingerprint } from './esdb-event-mapping.ts';

/** Consecutive new events of one stream: one atomic append on EventStoreDB. */
export interface AppendRun {
  stream: string;
  /** Revision of the stream's last event before the run; -1: the stream must not exist. */
  expectedRevision: number;
  events: AppendEvent[];
}

export interface AppendPlan {
  runs: AppendRun[];
  /**
   * For each input event, the stream holding the event its outcome reports:
   * its own stream, or the first event of the batch with the same id.
   */
  homes: string[];
  /** For each input event, whether it is the first of its id in the batch. */
  firstOfId: boolean[];
}

/** What the plan needs of each touched stream. */
export interface StreamView {
  revision: number;
  events: { get(id: string): { fingerprint: string | null } | undefined };
}

/**
 * Decides, from the streams as they are now, what a batch appends: events
 * whose id is already in their stream, or earlier in the batch, are
 * duplicates and are neither appended nor checked; every other event's
 * expectedRevision is checked against its stream as it will be just before
 * it. Any failed check throws before anything is written, which is what
 * keeps a rejected batch all-or-nothing across streams. An id already in
 * its stream, or earlier in the batch, with other content refuses the
 * whole batch (IdConflictError) before anything else. (EventStoreDB has no
 * index of ids across streams: an id re-sent for another customer is not
 * found; the PostgreSQL adapter finds it.) New events are
 * grouped into runs of consecutive events of one stream, appended in input
 * order, so positions increase in input order as on PostgreSQL.
 */
export function planAppend(
  events: readonly AppendEvent[],
  streams: ReadonlyMap<string, StreamView>,
  streamOf: (customerId: string) => string,
): AppendPlan {
  refuseIdConflicts(events, streams, streamOf);
  const revisions = new Map<string, number>();
  const firstHome = new Map<string, string>();
  const runs: AppendRun[] = [];
  const homes: string[] = [];
  const firstOfId: boolean[] = [];
  for (const event of events) {
    const stream = streamOf(event.customerId);
    const earlier = firstHome.get(event.id);
    firstOfId.push(earlier === undefined);
    homes.push(earlier ?? stream);
    if (earlier !== undefined) continue;
    firstHome.set(event.id, stream);
    const view = streams.get(stream);
    if (view === undefined) throw new Error(`no state read for stream ${stream}`);
    if (view.events.get(event.id) !== undefined) continue;

    const before = revisions.get(stream) ?? view.revision;
    if (event.expectedRevision !== undefined && event.expectedRevision !== before) {
      throw new WrongExpectedRevisionError(event.customerId, event.expectedRevision, before);
    }
    revisions.set(stream, before + 1);
    const last = runs.at(-1);
    if (last?.stream === stream) last.events.push(event);
    else runs.push({ stream, expectedRevision: before, events: [event] });
  }
  return { runs, homes, firstOfId };
}

function refuseIdConflicts(
  events: readonly AppendEvent[],
  streams: ReadonlyMap<string, StreamView>,
  streamOf: (customerId: string) => string,
): void {
  const firstInBatch = new Map<string, string>();
  const conflicts = new Set<string>();
  for (const event of events) {
    const mine = appendFingerprint(event);
    // Within the batch the customer is part of the content (the fingerprint leaves it to the stream).
    const inBatch = `${event.customerId}\n${mine}`;
    const earlier = firstInBatch.get(event.id);
    if (earlier !== undefined) {
      if (earlier !== inBatch) conflicts.add(event.id);
      continue;
    }
    firstInBatch.set(event.id, inBatch);
    const stored = streams.get(streamOf(event.customerId))?.events.get(event.id);
    if (stored !== undefined && stored.fingerprint !== mine) conflicts.add(event.id);
  }
  if (conflicts.size > 0) throw new IdConflictError([...conflicts].sort());
}
