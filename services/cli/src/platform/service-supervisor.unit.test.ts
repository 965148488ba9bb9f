import { type ChildProcess, spawn } from 'node:child_process';
import type { ServiceName } from '@crh/service-runtime';
import { describe, expect, it } from 'vitest';
import { superviseServices } from './service-supervisor.ts';

// Real child processes stand in for the services: one that exits after
// `lifeMs` with `code`, one that runs until SIGTERM.
const child = (lifeMs: number | null, code = 3): ChildProcess =>
  spawn(
    process.execPath,
    [
      '-e',
      lifeMs === null ? 'setInterval(() => {}, 1000)' : `setTimeout(() => process.exit(${code}), ${lifeMs})`,
    ],
    { stdio: 'ignore' },
  );
const until = async (probe: () => boolean, timeoutMs = 10_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('crh start keeps its services running', () => {
  it('starts again, after a growing delay, a service that exited after it had been up', async () => {
    const starts: { name: ServiceName; at: number }[] = [];
    const lines: string[] = [];
    let gaveUp: string | null = null;
    const supervisor = superviseServices(['ingest', 'projector'], {
      spawn: (name) => {
        starts.push({ name, at: Date.now() });
        return name === 'projector' ? child(150) : child(null);
      },
      log: (line) => lines.push(line),
      onGiveUp: (name) => (gaveUp = name),
      minUptimeMs: 100,
      maxRestarts: 3,
      initialDelayMs: 100,
    });
    try {
      await until(() => gaveUp !== null);
      const projector = starts.filter((s) => s.name === 'projector').map((s) => s.at);
      // The first start and three restarts, 100, 200 and 400 ms (plus its 150 ms of life) apart; then it gives up.
      expect(projector).toHaveLength(4);
      const gaps = projector.slice(1).map((at, i) => at - projector[i]!);
      expect(gaps[0]!).toBeGreaterThanOrEqual(240);
      expect(gaps[2]!).toBeGreaterThanOrEqual(540);
      expect(gaps[2]!).toBeGreaterThan(gaps[0]!);
      expect(gaveUp).toBe('projector');
      expect(lines.at(-1)).toMatch(
        /projector exited \(code 3\) again after 3 restarts; stopping the platform/,
      );
      expect(starts.filter((s) => s.name === 'ingest')).toHaveLength(1);
    } finally {
      await supervisor.stop();
    }
  });

  it('stops the platform when a service exits right after its start, and restarts nothing once stopped', async () => {
    let gaveUp: string | null = null;
    let spawned = 0;
    const supervisor = superviseServices(['gateway'], {
      spawn: () => {
        spawned++;
        return child(10, 1);
      },
      log: () => {},
      onGiveUp: (name) => (gaveUp = name),
      minUptimeMs: 5_000,
    });
    await until(() => gaveUp !== null);
    await supervisor.stop();
    await new Promise((r) => setTimeout(r, 300));
    expect(spawned).toBe(1);
  });
});
