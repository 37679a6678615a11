import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunStatus } from '@perftest/model';
import { openDatabase, type Database } from '@perftest/store';
import { RunWorker } from '../src/worker.js';
import { httpCase, insertRun, recordedRequests, startTarget, usersStage, waitForStatus, type CountingTarget } from './helpers.js';

describe('a worker on PGlite', () => {
  let db: Database;
  let target: CountingTarget;
  let worker: RunWorker;

  beforeAll(async () => {
    db = await openDatabase({ dataDir: 'memory://' });
    target = await startTarget();
    worker = new RunWorker({ db, threads: 1, embedded: true });
    await worker.start();
  });
  afterAll(async () => {
    await worker.stop();
    await target.close();
    await db.close();
  });

  it('runs a serial task to its end and records every request the target answered', async () => {
    const before = target.count;
    const cases = [httpCase('a', target.url, [usersStage(2, 1), usersStage(3, 1)]), httpCase('b', target.url, [usersStage(2, 1)])];
    const { taskRunId, caseRunIds } = await insertRun(db, cases, false);
    expect(await waitForStatus(db, taskRunId, [2, 3, 4], 15_000)).toBe(RunStatus.Finished);
    const recorded = await recordedRequests(db, caseRunIds);
    expect(recorded).toBeGreaterThan(20);
    expect(recorded).toBe(target.count - before);
    const caseRuns = await db.query<{ status: number; start_at: Date; ended_at: Date }>(
      'select status, start_at, ended_at from case_runs where task_run_id = $1 order by position',
      [taskRunId],
    );
    expect(caseRuns.map((c) => c.status)).toEqual([2, 2]);
    expect(caseRuns[1].start_at.getTime()).toBeGreaterThanOrEqual(caseRuns[0].ended_at.getTime());
  });
});
