import type { AppendEvent, AppendOutcome } from '../port.ts';
import { type AppendPlan, planAppend } from './append-plan.ts';
import { toProposedEvent } from './esdb-event-mapping.ts';
import { type EsdbLog, EsdbRevisionConflict } from './esdb-log.ts';
import type { StreamLedger, StreamState } from './stream-ledger.ts';
import type { StreamLocks } from './stream-locks.ts';

export interface AppendContext {
  log: EsdbLog;
  ledger: StreamLedger;
  locks: StreamLocks;
  streamOf: (customerId: string) => string;
}

const APPEND_ATTEMPTS = 20;

/**
 * EventStoreDB deduplicates by event id reliably only when an append states
 * the revision it expects, so every append here does: under this process's
 * locks on the batch's streams, read what is new in each stream (the ledger
 * knows the rest), answer ids already there as duplicates with their
 * original position and revision, check the caller's expected revisions,
 * then append the new events with the revision just read. If another
 * process appended in between, the server refuses (revision conflict) and
 * the whole batch is planned again from a fresh read, keeping what this
 * call already wrote as recorded.
 */
export async function appendBatch(
  context: AppendContext,
  events: readonly AppendEvent[],
): Promise<AppendOutcome[]> {
  if (events.length === 0) return [];
  const { log, ledger, locks, streamOf } = context;
  const streams = [...new Set(events.map((event) => streamOf(event.customerId)))];
  return locks.withLocks(streams, async () => {
    const written = new Set<string>();
    for (let attempt = 1; ; attempt++) {
      const states = await ledger.refresh(streams);
      // Throws WrongExpectedRevisionError before anything of this attempt is written.
      const plan = planAppend(events, states, streamOf);
      try {
        for (const run of plan.runs) {
          const expected = run.expectedRevision < 0 ? 'no_stream' : BigInt(run.expectedRevision);
          await log.append(run.stream, run.events.map(toProposedEvent), expected);
          for (const event of run.events) written.add(event.id);
        }
      } catch (error) {
        if (!(error instanceof EsdbRevisionConflict)) throw error;
        if (attempt >= APPEND_ATTEMPTS) {
          throw new Error(`append gave up after ${attempt} revision conflicts`, { cause: error });
        }
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * attempt));
        continue;
      }
      // The new events' positions: read back the tails just written.
      const after = plan.runs.length === 0 ? states : await ledger.refresh(streams);
      return toOutcomes(events, plan, after, written);
    }
  });
}

function toOutcomes(
  events: readonly AppendEvent[],
  plan: AppendPlan,
  streams: ReadonlyMap<string, StreamState>,
  written: ReadonlySet<string>,
): AppendOutcome[] {
  return events.map((event, i) => {
    const home = plan.homes[i]!;
    const known = streams.get(home)?.events.get(event.id);
    if (!known) throw new Error(`event ${event.id} is not in ${home} after appending it`);
    const recorded = plan.firstOfId[i]! && written.has(event.id);
    return {
      id: event.id,
      status: recorded ? 'recorded' : 'duplicate',
      position: known.position,
      revision: known.revision,
    };
  });
}
