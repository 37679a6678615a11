/**
 * A warm engine pool shares its threads among the runs on it: three runs of two threads each at once
 * on a pool of two warm threads run on those two threads (no thread started for them, none loading
 * the engine while the runs wait), and each records exactly what the target served it.
 */
import type { IntervalMessage, TestCaseStage } from '@perftest/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EnginePool } from '../src/run/engine-pool.js';
import { startRun } from '../src/run/engine-run.js';
import { getCase, recordedRequests, startCountingServer, type CountingServer } from './run-helpers.js';

let server: CountingServer;
let pool: EnginePool;
beforeAll(async () => {
  server = await startCountingServer();
  pool = await EnginePool.open(2);
});
afterAll(async () => {
  await pool?.close();
  await server?.close();
});

describe('a warm engine pool', () => {
  it('runs several runs on its warm threads at once without starting threads', async () => {
    expect(pool.threadCount).toBe(2);
    const stages: TestCaseStage[] = [{ pressure_mode: 0, operate_mode: 1, count: 200, issue_num: 4 }];
    const intervals: IntervalMessage[][] = [[], [], []];
    const runs = await Promise.all(
      intervals.map((list) => startRun({ case: getCase(server.url, stages), threads: 2, pool, onInterval: (i) => list.push(i) })),
    );
    expect(pool.threadCount).toBe(2);
    const summaries = await Promise.all(runs.map((r) => r.done));
    expect(pool.threadCount).toBe(2);
    for (const [i, summary] of summaries.entries()) {
      expect(summary.end).toBe('finished');
      expect(summary.requests.requests).toBe(200);
      expect(recordedRequests(intervals[i])).toBe(200);
    }
    expect(server.served).toBe(600);
  });
});
