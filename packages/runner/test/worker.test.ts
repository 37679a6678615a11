import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunStatus } from '@perftest/model';
import { openDatabase, type Database } from '@perftest/store';
import { setCaseRunTarget } from '../src/lifecycle/regulation.js';
import { RunWorker } from '../src/worker.js';
import { httpCase, insertRun, recordedRequests, startTarget, tpsStage, usersStage, waitForStatus, type CountingTarget } from './helpers.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

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

  it('hands the shares of a worker that leaves to the one that stays, at once', async () => {
    const second = new RunWorker({ db, threads: 1 });
    await second.start();
    const before = target.count;
    const { taskRunId, caseRunIds } = await insertRun(db, [httpCase('handoff', target.url, [usersStage(4, 3)], 50)], false);
    expect(await waitForStatus(db, taskRunId, [0], 5_000)).toBe(0);
    while (second.running === 0) await sleep(20);
    await sleep(1_500);
    await second.stop();
    expect(await waitForStatus(db, taskRunId, [2, 3, 4], 10_000)).toBe(RunStatus.Finished);
    const rows = await db.query<{ share_index: number; worker_id: string }>(
      'select distinct share_index, worker_id from intervals where case_run_id = $1',
      [caseRunIds[0]],
    );
    // The share of the worker that left has rows from both workers.
    const left = rows.filter((r) => r.worker_id === second.id).map((r) => r.share_index);
    expect(left).toHaveLength(1);
    expect(rows.filter((r) => r.share_index === left[0]).map((r) => r.worker_id).sort()).toEqual([second.id, worker.id].sort());
    // What the leaving worker had in flight was aborted, not recorded: at most one request per user.
    const answered = target.count - before;
    const recorded = await recordedRequests(db, caseRunIds);
    expect(answered - recorded).toBeGreaterThanOrEqual(0);
    expect(answered - recorded).toBeLessThanOrEqual(4);
  });

  it('applies a manual target (voltage_regulating_mode 1) set on the case run', async () => {
    const manual = { ...usersStage(1, 3), voltage_regulating_mode: 1 };
    const { taskRunId, caseRunIds } = await insertRun(db, [httpCase('manual', target.url, [manual], 50)], false);
    expect(await waitForStatus(db, taskRunId, [0], 5_000)).toBe(0);
    await sleep(1_300);
    expect(await setCaseRunTarget(db, caseRunIds[0], 3)).toBe(true);
    expect(await waitForStatus(db, taskRunId, [2, 3, 4], 10_000)).toBe(RunStatus.Finished);
    const users = await db.query<{ users: number }>("select (data->>'users')::int as users from intervals where case_run_id = $1 order by second", [
      caseRunIds[0],
    ]);
    expect(users[0].users).toBe(1);
    expect(Math.max(...users.map((u) => u.users))).toBe(3);
    expect(await setCaseRunTarget(db, caseRunIds[0], 5)).toBe(false);
  });

  it('runs a share on several engine threads (the piscina pool) with exact counts', async () => {
    const threaded = new RunWorker({ db, threads: 2 });
    await worker.stop();
    await threaded.start();
    worker = threaded;
    const before = target.count;
    const { taskRunId, caseRunIds } = await insertRun(db, [httpCase('threads', target.url, [tpsStage(60, 2, 10)], 0)], false);
    expect(await waitForStatus(db, taskRunId, [2, 3, 4], 20_000)).toBe(RunStatus.Finished);
    const recorded = await recordedRequests(db, caseRunIds);
    expect(recorded).toBe(target.count - before);
    // The worker's threads are warm: they are up well before stage 0, so (almost) every start of the
    // 120 is made (a start due before a thread is up would be skipped; slack for a loaded machine).
    expect(recorded).toBeGreaterThan(90);
  });
});
