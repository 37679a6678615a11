/**
 * One case run spread over two piscina threads (TypeScript workers loaded through tsx): the counts
 * are exactly those of one thread, the per-second intervals are merged into one, and a rendezvous
 * spans both threads.
 */
import type { IntervalMessage, TestCaseStage } from '@perftest/model';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startRun } from '../src/run/engine-run.js';
import { getCase, recordedRequests, startCountingServer, type CountingServer } from './run-helpers.js';

let server: CountingServer;
beforeAll(async () => {
  server = await startCountingServer();
});
afterAll(() => server.close());
beforeEach(() => {
  server.served = 0;
});

const STAGES: TestCaseStage[] = [
  { pressure_mode: 0, operate_mode: 1, count: 777, issue_num: 5 },
  { pressure_mode: 1, operate_mode: 0, time: 1, tps_value: 300, issue_num: 10 },
];

describe('startRun over threads', () => {
  it.each([1, 2])('runs a by-count stage and a TPS stage to exactly 777 + 300 iterations on %i thread(s)', async (threads) => {
    const intervals: IntervalMessage[] = [];
    const run = await startRun({ case: getCase(server.url, STAGES), threads, onInterval: (i) => intervals.push(i) });
    const summary = await run.done;
    expect(summary.end).toBe('finished');
    // Every intended start is made or counted as dropped (a TPS start whose 10 users are all busy
    // past the start wait: none on a quiet machine, a few when the suite loads both cores), and
    // what was made is exactly what was served and recorded.
    expect(summary.started + summary.dropped).toBe(1077);
    expect(summary.dropped).toBeLessThanOrEqual(30);
    expect(server.served).toBe(summary.started);
    expect(summary.requests.requests).toBe(summary.started);
    expect(recordedRequests(intervals)).toBe(summary.started);
  });

  it('merges the threads of each second into one interval, recording exactly what was served', async () => {
    const intervals: IntervalMessage[] = [];
    const stages: TestCaseStage[] = [{ pressure_mode: 0, operate_mode: 0, time: 2, issue_num: 5 }];
    const run = await startRun({ case: getCase(server.url, stages), threads: 2, onInterval: (i) => intervals.push(i) });
    const summary = await run.done;
    expect(summary.requests.requests).toBe(server.served);
    expect(recordedRequests(intervals)).toBe(server.served);
    expect(server.served).toBeGreaterThan(100);
    const seconds = intervals.map((i) => i.second);
    expect(seconds).toEqual(seconds.map((_, k) => seconds[0] + k));
    // 5 users split 3 + 2 over the threads, summed back in the merged interval (each thread cuts a
    // second with the users it ended with, however late its timer: case-runner.ts, flushDue).
    expect(intervals.filter((i) => i.users > 0).every((i) => i.users === 5)).toBe(true);
    expect(summary.maxUsers).toBe(5);
  });

  it('releases a rendezvous of 4 users when 2 users of each thread arrive', async () => {
    const kase = getCase(server.url, [{ pressure_mode: 0, operate_mode: 1, count: 40, issue_num: 4 }]);
    kase.contents = [{ data_type: 301, data: { users: 4, timeout: 8000 } }, ...kase.contents!];
    const run = await startRun({ case: kase, threads: 2, onInterval: () => {} });
    const summary = await run.done;
    expect(server.served).toBe(40);
    expect(summary.requests.requests).toBe(40);
    // Released by arrivals, not by the 8 s timeout (10 rounds of it would take 80 s).
    expect(summary.durationS).toBeLessThan(15);
  });
});

describe('run-wide cursors over threads', () => {
  it('deals the values of a shared sequential variable once each across both threads', async () => {
    server.recordPaths = true;
    server.paths = [];
    const kase = getCase(`${server.url}?id=\${id}`, [{ pressure_mode: 0, operate_mode: 1, count: 400, issue_num: 4 }]);
    const variables = [{ name: 'id', variable_type: 1, variable_mode: 0, share_mode: 0, variable: [0, 99999] }];
    const run = await startRun({ case: kase, variables, threads: 2, onInterval: () => {} });
    await run.done;
    server.recordPaths = false;
    const ids = server.paths.map((p) => Number(new URL(p, server.url).searchParams.get('id'))).sort((a, b) => a - b);
    expect(ids).toEqual(Array.from({ length: 400 }, (_, k) => k));
  });
});

describe('stopping a threaded run', () => {
  it('stops while the threads are still starting, with an empty summary', async () => {
    const run = await startRun({
      case: getCase(server.url, [{ pressure_mode: 0, operate_mode: 0, time: 30, issue_num: 2 }]),
      threads: 2,
      onInterval: () => {},
    });
    await run.stop();
    const summary = await run.done;
    expect(summary.end).toBe('stopped');
    expect(summary.requests.requests).toBe(server.served);
    expect(summary.durationS).toBeLessThan(10);
  });

  it('stops a running threaded run promptly and records nothing afterwards', async () => {
    const intervals: IntervalMessage[] = [];
    const run = await startRun({
      case: getCase(server.url, [{ pressure_mode: 0, operate_mode: 0, time: 30, issue_num: 6 }]),
      threads: 2,
      onInterval: (i) => intervals.push(i),
    });
    while (intervals.length < 2) await new Promise((resolve) => setTimeout(resolve, 50));
    const asked = Date.now();
    await run.stop();
    expect(Date.now() - asked).toBeLessThan(5000);
    const summary = await run.done;
    expect(summary.end).toBe('stopped');
    const emitted = intervals.length;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(intervals.length).toBe(emitted);
    expect(summary.requests.requests).toBe(recordedRequests(intervals));
    expect(summary.requests.requests).toBeGreaterThan(0);
    expect(summary.requests.requests).toBeLessThanOrEqual(server.served);
  });
});

describe('manual regulation over threads', () => {
  it('switches every thread to the new TPS at the same announced instant', async () => {
    const intervals: IntervalMessage[] = [];
    const run = await startRun({
      case: getCase(server.url, [
        { pressure_mode: 1, operate_mode: 0, voltage_regulating_mode: 1, time: 3, current_tps: 100, issue_num: 20 },
      ]),
      threads: 2,
      onInterval: (i) => intervals.push(i),
    });
    while (intervals.length < 1) await new Promise((resolve) => setTimeout(resolve, 20));
    const switchedAt = Date.now();
    run.setTarget(300);
    const summary = await run.done;
    // 100/s until the switch (announced 50 ms ahead), 300/s after it, until the stage's 3 s end.
    const before = (switchedAt + 50 - summary.startedAt) / 1000;
    const expected = 100 * before + 300 * (3 - before);
    expect(Math.abs(summary.started - expected)).toBeLessThan(30);
    expect(summary.dropped).toBe(0);
    expect(server.served).toBe(summary.started);
    expect(summary.requests.requests).toBe(server.served);
  });
});
