/**
 * Controlling a running case: stop() ends promptly and nothing is recorded after it, manual
 * regulation changes the live target, and intelligent high pressure holds at the last good step once
 * the target shows a knee.
 */
import type { IntervalMessage } from '@perftest/model';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startRun } from '../src/run/engine-run.js';
import { getCase, pause, recordedRequests, startCountingServer, startSplitServer, twoStepCase, type CountingServer } from './run-helpers.js';

let server: CountingServer;
beforeAll(async () => {
  server = await startCountingServer();
});
afterAll(() => server.close());
beforeEach(() => {
  server.served = 0;
  server.delayMs = 0;
  server.failAbove = Number.POSITIVE_INFINITY;
});

describe('a running case', () => {
  it('stops promptly on stop() and records nothing afterwards', async () => {
    server.delayMs = 5;
    const intervals: IntervalMessage[] = [];
    const run = await startRun({
      case: getCase(server.url, [{ pressure_mode: 0, operate_mode: 0, time: 60, issue_num: 20 }]),
      onInterval: (i) => intervals.push(i),
    });
    await pause(1200);
    const asked = Date.now();
    await run.stop();
    expect(Date.now() - asked).toBeLessThan(4000);
    const summary = await run.done;
    expect(summary.end).toBe('stopped');
    const emitted = intervals.length;
    const recorded = recordedRequests(intervals);
    const servedAtStop = server.served;
    await pause(300);
    expect(intervals.length).toBe(emitted);
    expect(server.served).toBe(servedAtStop);
    expect(summary.requests.requests).toBe(recorded);
    // The stop halts first: the requests in flight complete within the grace and are recorded.
    expect(recorded).toBeGreaterThan(100);
    expect(summary.aborted).toBe(0);
    expect(recorded).toBe(server.served);
  });

  it('halts on stop(), records what completes in the grace and counts what it aborts after it', async () => {
    const { url, served, close } = await startSplitServer();
    try {
      const intervals: IntervalMessage[] = [];
      // Every user sends a fast request, then a slow one (300 ms, or 30 s from the 3rd on), then
      // thinks for 10 s: at the stop some users think, some wait on a slow or stuck request.
      const run = await startRun({
        case: twoStepCase(url, 10_000),
        options: { gracefulStopMs: 1000 },
        onInterval: (i) => intervals.push(i),
      });
      await pause(1000);
      const asked = Date.now();
      await run.stop();
      const took = Date.now() - asked;
      const summary = await run.done;
      // No sleep outlives the halt, the grace is 1 s, the abort is prompt.
      expect(took).toBeLessThan(3000);
      expect(took).toBeGreaterThanOrEqual(900);
      expect(summary.aborted).toBe(served.stuck);
      expect(served.stuck).toBeGreaterThan(0);
      expect(recordedRequests(intervals) + summary.aborted).toBe(served.total);
      // A pass whose requests all completed is an iteration (its last think time cut by the
      // halt); a pass cut in a request is not.
      expect(served.total).toBe(12);
      expect(summary.iterations.requests).toBe(6 - served.stuck);
    } finally {
      await close();
    }
  });

  it('follows manual regulation: setTarget changes the live user count', async () => {
    const intervals: IntervalMessage[] = [];
    const run = await startRun({
      case: getCase(server.url, [
        { pressure_mode: 0, operate_mode: 0, voltage_regulating_mode: 1, time: 3, current_user_num: 2, issue_num: 10 },
        { pressure_mode: 0, operate_mode: 0, time: 30, issue_num: 50 },
      ]),
      onInterval: (i) => intervals.push(i),
    });
    await pause(1100);
    run.setTarget(6);
    const summary = await run.done;
    // The plan after the change is discarded: the run ends when stage 0 would have (3 s), never at 50 users.
    expect(summary.durationS).toBeLessThan(10);
    expect(summary.maxUsers).toBe(6);
    expect(intervals[0].users).toBe(2);
    expect(intervals.some((i) => i.users === 6)).toBe(true);
    expect(summary.requests.requests).toBe(server.served);
  });

  it('holds intelligent high pressure at the last good step once a step fails', async () => {
    server.delayMs = 20;
    server.failAbove = 4;
    const intervals: IntervalMessage[] = [];
    const run = await startRun({
      case: getCase(server.url, [
        { pressure_mode: 7, operate_mode: 0, time: 9, current_user_num: 1, maximum: 9, step_size: 2, step_duration: 2 },
      ]),
      onInterval: (i) => intervals.push(i),
    });
    const summary = await run.done;
    // Steps: 1, 3, 5 users ... the 5-user step gets 500s (more than 4 in flight): knee, hold at 3.
    const knee = summary.steps.findIndex((s) => s.successRate < 100);
    expect(knee).toBeGreaterThan(0);
    expect(summary.steps[knee].users).toBe(5);
    const lastUsers = intervals.filter((i) => i.users > 0).at(-1)!.users;
    expect(lastUsers).toBe(3);
    expect(summary.maxUsers).toBeLessThan(9);
    expect(summary.requests.requests).toBe(server.served);
  });
});
