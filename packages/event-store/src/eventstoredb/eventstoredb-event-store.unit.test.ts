import { randomUUID } from 'node:crypto';
import { describeEventStoreContract } from '../../testing/contract-suite.ts';
import { InMemoryEsdbLog } from '../../testing/in-memory-esdb-log.ts';
import { EventStoreDbEventStore } from './eventstoredb-event-store.ts';

// The adapter's logic (dedupe, revisions, runs, filters, paging, batching)
// against an in-memory log that behaves as EventStoreDB does; the same suite
// runs on a real server in eventstoredb-event-store.int.test.ts.
describeEventStoreContract('eventstoredb over an in-memory log', async () => {
  const log = new InMemoryEsdbLog();
  // Someone else's events on the same server: another namespace and a system stream.
  await log.append(
    'customer-elsewhere',
    [{ id: randomUUID(), type: 'ContactLogged', data: {}, metadata: {} }],
    'no_stream',
  );
  await log.append(
    '$$customer-elsewhere',
    [{ id: randomUUID(), type: '$metadata', data: {}, metadata: {} }],
    'no_stream',
  );
  const store = EventStoreDbEventStore.overLog(log, { streamPrefix: `t${randomUUID().slice(0, 8)}-` });
  return { store, cleanup: async () => {} };
});
