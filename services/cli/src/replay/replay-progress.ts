/** What one progress line shows. */
export interface ProgressState {
  /** Events written so far (including those of an earlier, resumed run). */
  done: number;
  /** Events the whole replay gives; null when unknown. */
  total: number | null;
  /** Events per second in this run; null before there is a rate to speak of. */
  rate: number | null;
  /** Characters inside the bar's brackets; default 20. */
  barWidth?: number;
}

const count = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** A whole number as the progress line shows it: `1,234,567`. */
export const formatCount = (n: number): string => count.format(n);

/**
 * One progress line, e.g.
 * `[=========>          ] 412,300 / 1,000,000 events  41%  118,200 ev/s  ETA 0:05`;
 * without a total, just the count and the rate. Pure, so it can be tested.
 */
export function formatProgress({ done, total, rate, barWidth = 20 }: ProgressState): string {
  const speed = rate === null ? '-- ev/s' : `${count.format(rate)} ev/s`;
  if (total === null) return `${count.format(done)} events  ${speed}`;
  const fraction = total === 0 ? 1 : Math.min(1, done / total);
  const filled = Math.floor(fraction * barWidth);
  const bar =
    filled >= barWidth ? '='.repeat(barWidth) : `${'='.repeat(filled)}>${' '.repeat(barWidth - filled - 1)}`;
  const percent = `${Math.floor(fraction * 100)}%`;
  const left = Math.max(0, total - done);
  const eta = left === 0 ? '0:00' : rate ? formatDuration(left / rate) : '--:--';
  return `[${bar}] ${count.format(done)} / ${count.format(total)} events  ${percent}  ${speed}  ETA ${eta}`;
}

/**
 * The line printed when a replay ends, e.g.
 * `replayed 50,000 events in 1.3 s (38,462 ev/s) to file events.ndjson`.
 */
export function formatSummary(options: {
  events: number;
  seconds: number;
  target: string;
  /** Events an earlier run of the same checkpoint wrote. */
  resumedAfter?: number;
}): string {
  const { events, seconds, target, resumedAfter = 0 } = options;
  const rate = seconds > 0 ? count.format(events / seconds) : '-';
  const resumed =
    resumedAfter > 0
      ? `; resumed after ${count.format(resumedAfter)}, ${count.format(resumedAfter + events)} in all`
      : '';
  return `replayed ${count.format(events)} events in ${seconds.toFixed(1)} s (${rate} ev/s) to ${target}${resumed}`;
}

/** `m:ss`, or `h:mm:ss` from an hour on; seconds rounded up, so a little left never reads 0:00. */
export function formatDuration(seconds: number): string {
  const whole = Math.ceil(seconds);
  const h = Math.floor(whole / 3600);
  const m = Math.floor((whole % 3600) / 60);
  const s = String(whole % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

export interface ProgressLine {
  /** Redraws the line if the last draw is old enough (or `force`). */
  update(done: number, force?: boolean): void;
  /** Draws the final state and ends the line. */
  finish(done: number): void;
}

/**
 * The progress line on a terminal: redrawn in place (`\r`, then erase to
 * the end of the line) at most every `intervalMs`, so a fast replay does not
 * spend its time drawing. The rate counts this run's events only.
 */
export function progressLine(
  stream: NodeJS.WriteStream,
  options: { total: number | null; startedWith: number; intervalMs?: number; now?: () => number },
): ProgressLine {
  const now = options.now ?? (() => performance.now());
  const started = now();
  const intervalMs = options.intervalMs ?? 200;
  let drawn = -Infinity;
  const draw = (done: number, final = false) => {
    const seconds = (now() - started) / 1000;
    // The first half second's rate says more about start-up than about speed.
    const rate = seconds >= 0.5 || (final && seconds > 0) ? (done - options.startedWith) / seconds : null;
    stream.write(`\r${formatProgress({ done, total: options.total, rate })}\x1b[K`);
    drawn = now();
  };
  return {
    update(done, force = false) {
      if (force || now() - drawn >= intervalMs) draw(done);
    },
    finish(done) {
      draw(done, true);
      stream.write('\n');
    },
  };
}
