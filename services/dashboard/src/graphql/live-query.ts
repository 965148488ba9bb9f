import { useQuery } from '@urql/preact';
import { useEffect } from 'preact/hooks';

/**
 * What makes lists change at once: a recorded mutation, a live event or a
 * reconnection calls `refreshAll`, and every query on the page asks the
 * gateway again (network-only), so nothing shows what a cache guessed.
 */
const listeners = new Set<() => void>();

export function refreshAll(): void {
  for (const listener of [...listeners]) listener();
}

/** Called after each `refreshAll`; returns the unsubscribe. */
export function onRefresh(listener: () => void): () => void {
  listeners.add(listener);
  return () => void listeners.delete(listener);
}

/** `useQuery`, asked again after each `refreshAll`. */
export const useLiveQuery: typeof useQuery = (args) => {
  const [result, reexecute] = useQuery(args);
  useEffect(() => onRefresh(() => reexecute({ requestPolicy: 'network-only' })), [reexecute]);
  return [result, reexecute];
};
