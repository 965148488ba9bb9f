import { describe, expect, it } from 'vitest';
import { formatDuration, formatProgress, formatSummary, progressLine } from './replay-progress.ts';

describe('replay progress line', () => {
  it('shows bar, counts with thousands separators, percent, rate and ETA', () => {
    expect(formatProgress({ done: 412_300, total: 1_000_000, rate: 118_200 })).toBe(
      '[========>           ] 412,300 / 1,000,000 events  41%  118,200 ev/s  ETA 0:05',
    );
  });

  it('keeps the bar as wide as asked, from empty to full', () => {
    const bar = (done: number) =>
      /^\[(.*)\]/.exec(formatProgress({ done, total: 100, rate: 1, barWidth: 10 }))![1];
    expect(bar(0)).toBe('>         ');
    expect(bar(55)).toBe('=====>    ');
    expect(bar(99)).toBe('=========>');
    expect(bar(100)).toBe('==========');
    for (const done of [0, 1, 33, 50, 99, 100, 150]) expect(bar(done)).toHaveLength(10);
  });

  it('caps at 100% and an ETA of 0:00 when done exceeds or meets the total', () => {
    expect(formatProgress({ done: 120, total: 100, rate: 10, barWidth: 4 })).toBe(
      '[====] 120 / 100 events  100%  10 ev/s  ETA 0:00',
    );
    expect(formatProgress({ done: 0, total: 0, rate: null, barWidth: 4 })).toBe(
      '[====] 0 / 0 events  100%  -- ev/s  ETA 0:00',
    );
  });

  it('has no ETA before there is a rate', () => {
    expect(formatProgress({ done: 0, total: 5_000, rate: null, barWidth: 4 })).toBe(
      '[>   ] 0 / 5,000 events  0%  -- ev/s  ETA --:--',
    );
  });

  it('shows count and rate only when the total is unknown', () => {
    expect(formatProgress({ done: 1_234_567, total: null, rate: 98_765.4 })).toBe(
      '1,234,567 events  98,765 ev/s',
    );
  });

  it('formats durations as m:ss, h:mm:ss from an hour, rounding up', () => {
    expect(formatDuration(0)).toBe('0:00');
    expect(formatDuration(0.2)).toBe('0:01');
    expect(formatDuration(59.5)).toBe('1:00');
    expect(formatDuration(605)).toBe('10:05');
    expect(formatDuration(3600)).toBe('1:00:00');
    expect(formatDuration(3 * 3600 + 7 * 60 + 9)).toBe('3:07:09');
  });

  it('sums a replay up in one line, saying when it resumed', () => {
    expect(formatSummary({ events: 50_000, seconds: 1.25, target: 'file out.ndjson' })).toBe(
      'replayed 50,000 events in 1.3 s (40,000 ev/s) to file out.ndjson',
    );
    expect(formatSummary({ events: 3_000, seconds: 0.5, target: 'stdout', resumedAfter: 47_000 })).toBe(
      'replayed 3,000 events in 0.5 s (6,000 ev/s) to stdout; resumed after 47,000, 50,000 in all',
    );
    expect(formatSummary({ events: 0, seconds: 0, target: 'stdout' })).toBe(
      'replayed 0 events in 0.0 s (- ev/s) to stdout',
    );
  });

  it('redraws in place at most once per interval and ends the line when finished', () => {
    let clock = 0;
    const written: string[] = [];
    const stream = { write: (text: string) => written.push(text) } as unknown as NodeJS.WriteStream;
    const line = progressLine(stream, { total: 1000, startedWith: 0, intervalMs: 200, now: () => clock });
    line.update(0);
    clock = 100;
    line.update(100); // too soon
    clock = 1000;
    line.update(500);
    line.finish(1000);
    expect(written).toEqual([
      `\r${formatProgress({ done: 0, total: 1000, rate: null })}\x1b[K`,
      `\r${formatProgress({ done: 500, total: 1000, rate: 500 })}\x1b[K`,
      `\r${formatProgress({ done: 1000, total: 1000, rate: 1000 })}\x1b[K`,
      '\n',
    ]);
  });
});
