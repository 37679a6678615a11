/**
 * A share taken over from a dead worker starts with the case run's start instant in the past: the
 * engine must resume the timeline at the current offset, not replay the starts already due.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRun } from '@perftest/engine';
import type { IntervalMessage } from '@perftest/model';
import { httpCase, startTarget, tpsStage, usersStage, type CountingTarget } from './helpers.js';

describe('startRun with startAt in the past', () => {
  let target: CountingTarget;
  beforeAll(async () => {
    target = await startTarget();
  });
  afterAll(() => target.close());

  it('a TPS stage makes only the starts due from the join on (no burst of the missed ones)', async () => {
    const before = target.count;
    const intervals: IntervalMessage[] = [];
    const run = await startRun({
      case: httpCase('late-tps', target.url, [tpsStage(100, 4, 20)], 0),
      options: { startAt: Date.now() - 2_000 },
      onInterval: (i) => intervals.push(i),
    });
    const summary = await run.done;
    const made = target.count - before;
    // 2 s were left of 4 s at 100 TPS: about 200 starts, not the 400 of the whole stage.
    expect(made).toBeGreaterThanOrEqual(150);
    expect(made).toBeLessThanOrEqual(230);
    // The skipped starts were the previous owner's: they are not reported as dropped here.
    expect(intervals.reduce((n, i) => n + i.dropped, 0)).toBe(0);
    expect(summary.end).toBe('finished');
  });

  it('a users stage joins at the stage running now, reporting from the second it joined in', async () => {
    const intervals: IntervalMessage[] = [];
    const before = target.count;
    const joined = Math.floor(Date.now() / 1000);
    const run = await startRun({
      case: httpCase('late-users', target.url, [usersStage(1, 2), usersStage(3, 2)], 20),
      options: { startAt: Date.now() - 2_500 },
      onInterval: (i) => intervals.push(i),
    });
    await run.done;
    const busy = intervals.filter((i) => i.users > 0);
    expect(busy.length).toBeGreaterThan(0);
    expect(busy.every((i) => i.stage === 1)).toBe(true);
    expect(Math.max(...busy.map((i) => i.users))).toBe(3);
    // No backfill of the seconds before the join, and every request lands in the second it was made.
    expect(intervals[0].second).toBeGreaterThanOrEqual(joined);
    const recorded = intervals.reduce((n, i) => n + Object.values(i.cards).reduce((m, c) => m + c.requests, 0), 0);
    expect(recorded).toBe(target.count - before);
  });
});
