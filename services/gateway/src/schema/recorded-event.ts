import type { RecordedEvent as StoredEvent } from '@crh/event-store';
import { builder } from '../builder.ts';
import { PageInfo, type PageInfoShape } from './page-info.ts';

/** A stored event: the envelope (docs/api/events.md) plus what the store assigned. */
export type RecordedEventShape = StoredEvent;

export const RecordedEvent = builder.objectRef<RecordedEventShape>('RecordedEvent').implement({
  description: 'A stored event envelope',
  fields: (t) => ({
    id: t.exposeID('id'),
    type: t.exposeString('type'),
    customerId: t.exposeID('customerId'),
    occurredAt: t.field({ type: 'DateTime', resolve: (e) => e.occurredAt }),
    actorId: t.exposeID('actorId', { nullable: true }),
    data: t.field({ type: 'JSON', resolve: (e) => e.data }),
    metadata: t.field({ type: 'JSON', nullable: true, resolve: (e) => e.metadata ?? null }),
    recordedAt: t.field({ type: 'DateTime', resolve: (e) => e.recordedAt }),
    position: t.exposeString('position'),
    revision: t.exposeInt('revision'),
    erased: t.boolean({
      description:
        "The customer's personal data was erased: its personal fields (and metadata) read null (docs/erasure.md)",
      resolve: (e) => e.erased === true,
    }),
  }),
});

export interface EventEdgeShape {
  cursor: string;
  node: RecordedEventShape;
}

const EventEdge = builder.objectRef<EventEdgeShape>('EventEdge').implement({
  fields: (t) => ({
    cursor: t.exposeString('cursor'),
    node: t.field({ type: RecordedEvent, resolve: (e) => e.node }),
  }),
});

export interface EventConnectionShape {
  edges: EventEdgeShape[];
  pageInfo: PageInfoShape;
}

export const EventConnection = builder.objectRef<EventConnectionShape>('EventConnection').implement({
  fields: (t) => ({
    edges: t.field({ type: [EventEdge], resolve: (c) => c.edges }),
    pageInfo: t.field({ type: PageInfo, resolve: (c) => c.pageInfo }),
  }),
});
