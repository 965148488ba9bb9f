import { normaliseRfc3339 } from '@crh/domain';
import { builder } from '../builder.ts';
import { badInput } from '../user-errors.ts';
import { decodeCursor, encodeCursor, PageInfo, type PageInfoShape } from './page-info.ts';

export interface ConnectionShape<T> {
  edges: { cursor: string; node: T }[];
  pageInfo: PageInfoShape;
}

/** A Relay connection type `<name>Connection` with `<name>Edge` edges. */
// `node` is any object type of this builder; Pothos cannot type a ref
// generic over its node, so the node's type is given at the call site.
export function connection<T>(name: string, node: object) {
  const edge = builder.objectRef<{ cursor: string; node: T }>(`${name}Edge`).implement({
    fields: (t) => ({
      cursor: t.exposeString('cursor'),
      node: t.field({ type: node as never, resolve: (e) => e.node as never }),
    }),
  });
  return builder.objectRef<ConnectionShape<T>>(`${name}Connection`).implement({
    fields: (t) => ({
      edges: t.field({ type: [edge], resolve: (c) => c.edges }),
      pageInfo: t.field({ type: PageInfo, resolve: (c) => c.pageInfo }),
    }),
  });
}

/** A keyset cursor of string keys, the first an instant (ISO 8601 UTC), or a client error. */
export function keysetCursor(cursor: string, size: number): string[] {
  const keys = decodeCursor(cursor);
  if (
    !keys ||
    keys.length !== size ||
    !keys.every((k) => typeof k === 'string') ||
    normaliseRfc3339(keys[0] as string) !== keys[0]
  ) {
    throw badInput('after is not a cursor of this connection');
  }
  return keys as string[];
}

/**
 * One page from `limit + 1` rows in keyset order: the extra row tells
 * whether there is a next page. An edge's cursor is encoded only when read:
 * most clients ask for endCursor, not for a cursor per edge.
 */
export function pageOf<T>(
  rows: readonly T[],
  limit: number,
  hasPreviousPage: boolean,
  keys: (row: T) => string[],
): ConnectionShape<T> {
  const nodes = rows.slice(0, limit);
  const cursorOf = (node: T | undefined) => (node === undefined ? null : encodeCursor(keys(node)));
  return {
    edges: nodes.map((node) => ({
      get cursor() {
        return encodeCursor(keys(node));
      },
      node,
    })),
    pageInfo: {
      hasNextPage: rows.length > limit,
      hasPreviousPage,
      startCursor: cursorOf(nodes[0]),
      endCursor: cursorOf(nodes.at(-1)),
    },
  };
}
