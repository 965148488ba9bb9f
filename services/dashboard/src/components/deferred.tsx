import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';

/**
 * The first list before the rest. Two cores and a browser's six connections
 * per host (HTTP/1.1) are shared by every query a view sends at once; the
 * bench (docs/benchmarks.md#dashboard) measured the lists waiting behind
 * charts and outliers. Secondary parts render once the first list has
 * answered (rows, empty or an error), or after `FALLBACK_MS` at the latest.
 */
let done = false;
const waiting = new Set<() => void>();
const FALLBACK_MS = 1_500;

/** Called by the view's first list when its first page has come back. */
export function primaryAnswered(): void {
  if (done) return;
  done = true;
  for (const wake of waiting) wake();
  waiting.clear();
}

export function Deferred({ children, minHeight = 0 }: { children: ComponentChildren; minHeight?: number }) {
  const [ready, setReady] = useState(done);
  useEffect(() => {
    if (ready) return;
    const wake = () => setReady(true);
    waiting.add(wake);
    const timer = setTimeout(wake, FALLBACK_MS);
    return () => {
      waiting.delete(wake);
      clearTimeout(timer);
    };
  }, [ready]);
  return ready ? (
    <>{children}</>
  ) : (
    <div class="deferred" style={{ minHeight: `${minHeight}px` }} aria-hidden="true" />
  );
}
