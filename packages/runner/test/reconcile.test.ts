/**
 * The reconcile pass on its own (PGlite, no load): dispatch to the live workers, serial order, stops,
 * dead workers' shares, and runs that no worker can take.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RunStatus } from '@perftest/model';
import { openDatabase, type Database } from '@perftest/store';
import { reconcile } from '../src/lifecycle/reconcile.js';
import { THREADED_START_LEAD_MS, WARM_THREADED_START_LEAD_MS } from '../src/timing.js';
import { registerWorker } from '../src/lifecycle/workers.js';
import { httpCase, insertRun, taskRunStatus, usersStage } from './helpers.js';

const QUICK = { deadAfterMs: 300, noWorkerWaitMs: 300, leadMs: 300 };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const kase = (name: string) => httpCase(name, 'http://127.0.0.1:9/', [usersStage(1, 1)]);

/**
 * A reconcile pass, and the lead it gave each case run, bracketed by the clock: start_at is the
 * moment of dispatch plus the lead, and that moment falls between `before` and `after`, so the lead
 * is at least start_at - after and at most start_at - before, however long a loaded machine takes.
 */
async function reconcileTimed(db: Database, options: Parameters<typeof reconcile>[1]) {
  const before = Date.now();
  const result = await reconcile(db, options);
  const after = Date.now();
  const lead = async (caseRunId: number) => {
    const [{ at }] = await db.query<{ at: number }>('select extract(epoch from start_at) * 1000 as at from case_runs where id = $1', [caseRunId]);
    return { atLeast: at - after - 1, atMost: at - before + 1 };
  };
  return { result, lead };
}

describe('reconcile', () => {
  let db: Database;
  beforeAll(async () => {
    db = await openDatabase({ dataDir: 'memory://' });
  });
  afterAll(() => db.close());
  beforeEach(async () => {
    await db.query('update workers set stopped_at = now() where stopped_at is null');
    await db.query('update task_runs set status = 2 where status in (0, 5, 9)');
  });

  const shares = (caseRunId: number) =>
    db.query<{ share_index: number; share_count: number; worker_id: string; status: string }>(
      'select share_index, share_count, worker_id, status from case_run_shares where case_run_id = $1 order by share_index',
      [caseRunId],
    );
  const caseStatuses = async (taskRunId: number) =>
    (await db.query<{ status: number }>('select status from case_runs where task_run_id = $1 order by position', [taskRunId])).map((r) => r.status);

  it('dispatches a parallel run: every case run at once, one share per live worker, stage 0 after the lead', async () => {
    const a = await registerWorker(db, { threads: 1, embedded: false });
    const b = await registerWorker(db, { threads: 2, embedded: false });
    const { taskRunId, caseRunIds } = await insertRun(db, [kase('x'), kase('y')], true);
    const { result, lead } = await reconcileTimed(db, QUICK);
    expect(result.ran).toBe(true);
    expect(await caseStatuses(taskRunId)).toEqual([0, 0]);
    expect((await taskRunStatus(db, taskRunId)).status).toBe(RunStatus.Running);
    for (const id of caseRunIds) {
      const given = await shares(id);
      expect(given.map((s) => [s.share_index, s.share_count, s.status])).toEqual([
        [0, 2, 'assigned'],
        [1, 2, 'assigned'],
      ]);
      expect(given.map((s) => s.worker_id).sort()).toEqual([a, b].sort());
    }
    const given = await lead(caseRunIds[0]);
    expect(given.atLeast).toBeLessThanOrEqual(QUICK.leadMs);
    expect(given.atMost).toBeGreaterThanOrEqual(QUICK.leadMs);
    // A second pass changes nothing.
    expect((await reconcile(db, QUICK)).changes).toBe(0);
  });

  it('leads by the warm-thread lead for one case run on idle threaded workers, else by the cold one', async () => {
    // Shares left open by earlier tests would go to this worker (orphans) and make it busy.
    await db.query(`update case_run_shares set status = 'done' where status in ('assigned', 'running')`);
    await registerWorker(db, { threads: 2, embedded: false });
    const one = await insertRun(db, [kase('warm')], false);
    const warm = await (await reconcileTimed(db, { deadAfterMs: 60_000 })).lead(one.caseRunIds[0]);
    expect(warm.atLeast).toBeLessThanOrEqual(WARM_THREADED_START_LEAD_MS);
    expect(warm.atMost).toBeGreaterThanOrEqual(WARM_THREADED_START_LEAD_MS);
    await db.query(`update case_run_shares set status = 'done' where case_run_id = $1`, [one.caseRunIds[0]]);
    // Two case runs at once need more threads than the warm ones: extra threads load the engine first.
    const two = await insertRun(db, [kase('c1'), kase('c2')], true);
    const cold = await reconcileTimed(db, { deadAfterMs: 60_000 });
    for (const id of two.caseRunIds) {
      const given = await cold.lead(id);
      expect(given.atLeast).toBeLessThanOrEqual(THREADED_START_LEAD_MS);
      expect(given.atMost).toBeGreaterThanOrEqual(THREADED_START_LEAD_MS);
    }
  });

  it('runs a serial run one case at a time and ends it when the last case ends', async () => {
    const w = await registerWorker(db, { threads: 1, embedded: false });
    const { taskRunId, caseRunIds } = await insertRun(db, [kase('first'), kase('second')], false);
    await reconcile(db, QUICK);
    expect(await caseStatuses(taskRunId)).toEqual([0, 9]);
    await db.query("update case_run_shares set status = 'done' where case_run_id = $1 and worker_id = $2", [caseRunIds[0], w]);
    await reconcile(db, QUICK);
    expect(await caseStatuses(taskRunId)).toEqual([2, 0]);
    await db.query("update case_run_shares set status = 'done' where case_run_id = $1", [caseRunIds[1]]);
    await reconcile(db, QUICK);
    expect(await caseStatuses(taskRunId)).toEqual([2, 2]);
    expect(await taskRunStatus(db, taskRunId)).toEqual({ status: RunStatus.Finished, reason: null });
  });

  it('settles a stop: unclaimed shares stopped, waiting case runs 4, the run 4', async () => {
    await registerWorker(db, { threads: 1, embedded: false });
    const { taskRunId, caseRunIds } = await insertRun(db, [kase('a'), kase('b')], false);
    await reconcile(db, QUICK);
    await db.query('update task_runs set status = 5 where id = $1', [taskRunId]);
    await db.query('update case_runs set status = 5 where task_run_id = $1 and status = 0', [taskRunId]);
    await reconcile(db, QUICK);
    expect((await shares(caseRunIds[0])).map((s) => s.status)).toEqual(['stopped']);
    expect(await caseStatuses(taskRunId)).toEqual([4, 4]);
    expect((await taskRunStatus(db, taskRunId)).status).toBe(RunStatus.StoppedByUser);
  });

  it('declares a silent worker dead and gives its share to a live one, start instant unchanged', async () => {
    const silent = await registerWorker(db, { threads: 1, embedded: false });
    const live = await registerWorker(db, { threads: 1, embedded: false });
    const { caseRunIds } = await insertRun(db, [kase('z')], false);
    await reconcile(db, QUICK);
    const [{ start_at: before }] = await db.query<{ start_at: Date }>('select start_at from case_runs where id = $1', [caseRunIds[0]]);
    const given = await shares(caseRunIds[0]);
    const silentShare = given.find((s) => s.worker_id === silent)!.share_index;
    await db.query("update case_run_shares set status = 'running' where case_run_id = $1", [caseRunIds[0]]);
    await sleep(350);
    await db.query('update workers set heartbeat_at = now() where id = $1', [live]);
    await reconcile(db, QUICK);
    const [worker] = await db.query<{ stopped_at: Date | null }>('select stopped_at from workers where id = $1', [silent]);
    expect(worker.stopped_at).not.toBeNull();
    expect(await shares(caseRunIds[0])).toEqual(
      [0, 1].map((i) => ({ share_index: i, share_count: 2, worker_id: live, status: i === silentShare ? 'assigned' : 'running' })),
    );
    const [{ start_at: after }] = await db.query<{ start_at: Date }>('select start_at from case_runs where id = $1', [caseRunIds[0]]);
    expect(after.getTime()).toBe(before.getTime());
  });

  it('ends a run in 3 when its only worker dies, and a run that no worker joins within the wait', async () => {
    await registerWorker(db, { threads: 1, embedded: false });
    const running = await insertRun(db, [kase('r')], false);
    await reconcile(db, QUICK);
    await sleep(350);
    const waiting = await insertRun(db, [kase('w')], false);
    await reconcile(db, QUICK);
    const aborted = await taskRunStatus(db, running.taskRunId);
    expect(aborted.status).toBe(RunStatus.Aborted);
    expect(aborted.reason).toMatch(/^no worker left/);
    expect(await caseStatuses(running.taskRunId)).toEqual([3]);
    expect((await taskRunStatus(db, waiting.taskRunId)).status).toBe(RunStatus.Waiting);
    await sleep(350);
    await reconcile(db, QUICK);
    const never = await taskRunStatus(db, waiting.taskRunId);
    expect(never.status).toBe(RunStatus.Aborted);
    expect(never.reason).toMatch(/^no worker/);
  });
});
