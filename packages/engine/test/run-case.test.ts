/**
 * startRun on one thread with the real compiler, virtual users and HTTP driver against a local
 * counting server: what the engine records equals what the server served, exactly, across user
 * stages with retirement, TPS stages and by-count stages; a stalled target shows in the percentiles.
 */
import type { IntervalMessage } from '@perftest/model';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CaseProblemsError } from '../src/run/prepare.js';
import { startRun } from '../src/run/engine-run.js';
import { getCase, recordedRequests, startCountingServer, type CountingServer } from './run-helpers.js';

let server: CountingServer;
beforeAll(async () => {
  server = await startCountingServer();
});
afterAll(() => server.close());
beforeEach(() => {
  server.served = 0;
  server.stallUntil = 0;
});

describe('startRun (one thread)', () => {
  it('records exactly what the server served while a stage goes from 8 users to 2', async () => {
    const intervals: IntervalMessage[] = [];
    const run = await startRun({
      case: getCase(server.url, [
        { pressure_mode: 0, operate_mode: 0, time: 2, issue_num: 8 },
        { pressure_mode: 0, operate_mode: 0, time: 1, issue_num: 2 },
      ]),
      onInterval: (i) => intervals.push(i),
    });
    expect(run.cards.map((c) => c.name)).toEqual(['get']);
    const summary = await run.done;
    expect(summary.end).toBe('finished');
    expect(summary.requests.requests).toBe(server.served);
    expect(summary.iterations.requests).toBe(server.served);
    expect(summary.started).toBe(server.served);
    expect(summary.requests.successCount).toBe(server.served);
    expect(recordedRequests(intervals)).toBe(server.served);
    expect(server.served).toBeGreaterThan(100);
    expect(summary.maxUsers).toBe(8);
    // One interval per second, in order, stage 0 with 8 users then stage 1 with 2.
    const seconds = intervals.map((i) => i.second);
    expect(seconds).toEqual(seconds.map((_, k) => seconds[0] + k));
    expect(intervals.some((i) => i.stage === 0 && i.users === 8)).toBe(true);
    const later = intervals.filter((i) => i.stage === 1 && i.users > 0);
    expect(later.length).toBeGreaterThan(0);
    expect(later.every((i) => i.users === 2)).toBe(true);
  });

  it('runs by-count stages to their exact iteration counts, users then TPS', async () => {
    const run = await startRun({
      case: getCase(server.url, [
        { pressure_mode: 0, operate_mode: 1, count: 777, issue_num: 5 },
        { pressure_mode: 1, operate_mode: 1, count: 250, tps_value: 500, issue_num: 10 },
      ]),
      onInterval: () => {},
    });
    const summary = await run.done;
    expect(server.served).toBe(1027);
    expect(summary.requests.requests).toBe(1027);
    expect(summary.started).toBe(1027);
    expect(summary.dropped).toBe(0);
  });

  it('starts exactly rate x time iterations in a TPS stage', async () => {
    const intervals: IntervalMessage[] = [];
    const run = await startRun({
      case: getCase(server.url, [{ pressure_mode: 1, operate_mode: 0, time: 2, tps_value: 200, issue_num: 10 }]),
      onInterval: (i) => intervals.push(i),
    });
    const summary = await run.done;
    expect(summary.started).toBe(400);
    expect(server.served).toBe(400);
    expect(summary.requests.requests).toBe(400);
    expect(intervals.reduce((n, i) => n + i.started, 0)).toBe(400);
    expect(summary.maxUsers).toBeLessThanOrEqual(10);
  });

  it.each([
    ['flapping TPS (triangle 0 -> 200 -> 0 over 2 s)', { pressure_mode: 6, time: 2, loop_count: 1, minimum: 0, maximum: 200 }],
    ['surge TPS (50/s for 1 s, then 150/s for 1 s)', { pressure_mode: 4, time: 2, loop_count: 1, max_duration: 1, minimum: 50, maximum: 150 }],
  ])('starts exactly the integral of a %s', async (_name, stage) => {
    const run = await startRun({
      case: getCase(server.url, [{ operate_mode: 0, issue_num: 20, ...stage }]),
      onInterval: () => {},
    });
    const summary = await run.done;
    expect(summary.started).toBe(200);
    expect(server.served).toBe(200);
    expect(summary.requests.requests).toBe(200);
  });

  it('keeps the TPS schedule while the target stalls: late starts show in the percentiles, unserved starts are dropped', async () => {
    const run = await startRun({
      case: getCase(server.url, [{ pressure_mode: 1, operate_mode: 0, time: 3, tps_value: 100, issue_num: 4 }]),
      options: { startWaitMs: 100 },
      onInterval: () => {},
    });
    setTimeout(() => {
      server.stallUntil = Date.now() + 800;
    }, 1000);
    const summary = await run.done;
    expect(summary.started + summary.dropped).toBe(300);
    expect(summary.dropped).toBeGreaterThan(20);
    expect(summary.started).toBe(server.served);
    expect(summary.requests.requests).toBe(server.served);
    // Latency is measured from the intended start: the stall is in the tail, not hidden.
    expect(summary.iterations.percentiles.tp99).toBeGreaterThan(600_000);
    expect(summary.iterations.percentiles.tp50).toBeLessThan(100_000);
  });

  it('counts every intended TPS start as started or dropped when the plan ends on a stalled target, and the stuck requests as aborted', async () => {
    server.stallUntil = Date.now() + 60_000;
    const run = await startRun({
      case: getCase(server.url, [
        { pressure_mode: 1, operate_mode: 0, time: 1, tps_value: 50, issue_num: 3 },
        { pressure_mode: 1, operate_mode: 0, time: 1, tps_value: 30, issue_num: 3 },
      ]),
      options: { startWaitMs: 300, gracefulStopMs: 300 },
      onInterval: () => {},
    });
    const summary = await run.done;
    expect(summary.started + summary.dropped).toBe(80);
    expect(summary.started).toBe(3);
    // The three users' requests were still held at the end: aborted, counted apart, none recorded.
    expect(server.served).toBe(3);
    expect(summary.aborted).toBe(3);
    expect(summary.requests.requests).toBe(0);
  });

  it('rejects an invalid case with every problem before anything runs', async () => {
    const bad = getCase('ftp://nowhere', [{ pressure_mode: 0, operate_mode: 0, time: 0, issue_num: 0 }]);
    const error = await startRun({ case: bad, onInterval: () => {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CaseProblemsError);
    const paths = (error as CaseProblemsError).problems.map((p) => p.path);
    expect(paths.some((p) => p.startsWith('stages[0]'))).toBe(true);
    expect(paths.some((p) => p.startsWith('contents[0]'))).toBe(true);
    expect(server.served).toBe(0);
  });
});
