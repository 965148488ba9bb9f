import { useQuery } from '@urql/preact';
import { useEffect, useState } from 'preact/hooks';

/**
 * What makes lists change at once: a recorded mutation and each live event
 * bump one counter, and every query on the page asks the gateway again
 * (network-only), so nothing shows what a cache guessed.
 */
let generation = 0;
const listeners = new Set<(n: number) => void>();

export function refreshAll(): void {
  generation += 1;
  for (const listener of listeners) listener(generation);
}

/** Called after each `refreshAll`; returns the unsubscribe. */
export function onRefresh(listener: () => void): () => void {
  listeners.add(listener);
  return () => void listeners.delete(listener);
}

/** `useQuery`, asked again after each `refreshAll`. */
export const useLiveQuery: typeof useQuery = (args) => {
  const [result, reexecute] = useQuery(args);
  const [seen, setSeen] = useState(generation);
  useEffect(() => {
    const listener = (n: number) => setSeen(n);
    listeners.add(listener);
    return () => void listeners.delete(listener);
  }, []);
  useEffect(() => {
    if (seen > 0) reexecute({ requestPolicy: 'network-only' });
  }, [seen]);
  return [result, reexecute];
};
