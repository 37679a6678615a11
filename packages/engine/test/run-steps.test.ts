/**
 * Intelligent high pressure with steps judged outside the run (externalSteps: a distributed run's
 * workers judge the knee on everyone's data and hand the verdict in with setSteps), on the calling
 * thread and on threads of a warm EnginePool kept between runs; and the MergedStepTracker that turns
 * several workers' intervals into those steps.
 */
import { OUTCOMES, type CaseInfoDetail, type EncodedStats, type IntervalMessage, type Outcome, type TestCaseStage } from '@perftest/model';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createRecordingHistogram, encodeHistogram } from '../src/metrics/histogram.js';
import { EnginePool } from '../src/run/engine-pool.js';
import { startRun } from '../src/run/engine-run.js';
import { prepareCase } from '../src/run/prepare.js';
import { MergedStepTracker } from '../src/pressure/intelligent/merged-steps.js';
import type { StepResult } from '../src/types.js';
import { getCase, pause, startCountingServer, type CountingServer } from './run-helpers.js';

let server: CountingServer;
beforeAll(async () => {
  server = await startCountingServer();
});
afterAll(() => server.close());
beforeEach(() => {
  server.served = 0;
  server.delayMs = 20;
  server.failAbove = Number.POSITIVE_INFINITY;
});

/** Steps of 1 s: 1, 3, 5, 7 users. */
const climb: TestCaseStage = { pressure_mode: 7, operate_mode: 0, time: 4, current_user_num: 1, maximum: 9, step_size: 2, step_duration: 1 };
/** An outside verdict: step 1 (3 users) failed, so the load holds at step 0's 1 user. */
const kneeAtStep1: StepResult[] = [
  { step: 0, users: 1, requests: 40, successRate: 100, rps: 40 },
  { step: 1, users: 3, requests: 60, successRate: 20, rps: 60 },
];

const lastUsers = (intervals: IntervalMessage[]) => intervals.filter((i) => i.users > 0).at(-1)!.users;

describe('external intelligent-peak steps', () => {
  it('holds at the step the outside verdict names, not at what this process measured', async () => {
    const intervals: IntervalMessage[] = [];
    const run = await startRun({ case: getCase(server.url, [climb]), externalSteps: true, onInterval: (i) => intervals.push(i) });
    await pause(1_300);
    run.setSteps(kneeAtStep1);
    const summary = await run.done;
    // The target never failed (no knee here): only the given verdict brings the load back to 1.
    expect(lastUsers(intervals)).toBe(1);
    expect(summary.maxUsers).toBeLessThanOrEqual(5);
    expect(summary.steps).toEqual(kneeAtStep1);
    expect(summary.requests.requests).toBe(server.served);
  });

  it('runs on a warm pool, twice, and judges nothing itself when steps come from outside', async () => {
    const pool = await EnginePool.open(2);
    try {
      expect(pool.idleThreads).toBe(2);
      // First run: the verdict is given before the threads are up, and reaches both.
      const first: IntervalMessage[] = [];
      const run = await startRun({ case: getCase(server.url, [climb]), threads: 2, pool, externalSteps: true, onInterval: (i) => first.push(i) });
      run.setSteps(kneeAtStep1);
      await run.done;
      expect(lastUsers(first)).toBe(1);
      const servedFirst = server.served;

      // Second run on the same threads: the target fails above 2 in flight (a knee locally), but no
      // verdict comes: the load climbs to the top step.
      server.failAbove = 2;
      const second: IntervalMessage[] = [];
      const again = await startRun({ case: getCase(server.url, [climb]), threads: 2, pool, externalSteps: true, onInterval: (i) => second.push(i) });
      const summary = await again.done;
      expect(Math.max(...second.map((i) => i.users))).toBe(7);
      expect(summary.steps).toEqual([]);
      expect(summary.requests.requests).toBe(server.served - servedFirst);
      // The pool kept its threads for the next run.
      expect(pool.idleThreads).toBe(2);
    } finally {
      await pool.close();
    }
  });

  it('merges the intervals of several workers into one step verdict', async () => {
    const startAt = 1_700_000_000_000;
    const prepare = async (kase: CaseInfoDetail) => {
      const result = await prepareCase({ case: kase });
      if (!result.ok) throw new Error(JSON.stringify(result.problems));
      return result.prepared;
    };
    const tracker = MergedStepTracker.for(await prepare(getCase(server.url, [climb])), startAt)!;
    expect(MergedStepTracker.for(await prepare(getCase(server.url, [{ pressure_mode: 0, operate_mode: 0, time: 4, issue_num: 2 }])), startAt)).toBeUndefined();
    const cell = (requests: number, success: number): EncodedStats => {
      const histogram = createRecordingHistogram();
      for (let k = 0; k < requests; k++) histogram.recordValue(1_000);
      const outcomes = Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as Record<Outcome, number>;
      outcomes.success = success;
      outcomes.checkPointFailed = requests - success;
      const stats = { requests, outcomes, statusClasses: [0, success, 0, 0, requests - success] as EncodedStats['statusClasses'] };
      return { ...stats, sentBytes: 0, recBytes: 0, rtSumUs: requests * 1_000, rtMinUs: 1_000, rtMaxUs: 1_000, histogram: encodeHistogram(histogram) };
    };
    const at = (second: number, requests: number, success: number): IntervalMessage => ({
      type: 'interval',
      second,
      users: 1,
      started: requests,
      dropped: 0,
      stage: 0,
      iterations: cell(requests, success),
      cards: { c: cell(requests, success) },
    });
    const s0 = startAt / 1000;
    // Worker A is always fine; worker B fails most of step 1: only the merge is below 100 %.
    // A new mode-7 stage begins: no step finished yet.
    expect(tracker.addSecond([at(s0, 10, 10), at(s0, 10, 10)])).toEqual([]);
    const afterStep0 = tracker.addSecond([at(s0 + 1, 30, 30), at(s0 + 1, 30, 6)]);
    expect(afterStep0).toEqual([{ step: 0, users: 1, requests: 20, successRate: 100, rps: 20 }]);
    const afterStep1 = tracker.addSecond([at(s0 + 2, 50, 50), at(s0 + 2, 50, 50)]);
    expect(afterStep1?.map((s) => [s.step, s.users, s.requests, s.successRate])).toEqual([
      [0, 1, 20, 100],
      [1, 3, 60, 60],
    ]);
  });
});
