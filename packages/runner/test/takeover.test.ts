/**
 * Takeover and honest ends (docs/run-lifecycle.md, "Takeover" and "Honest ends"), on PGlite and on
 * Postgres: the reconcile pass with a short dead delay and claims made as workers make them, then a
 * real worker claiming a share after its plan was over.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RunStatus } from '@perftest/model';
import type { Database } from '@perftest/store';
import { reconcile } from '../src/lifecycle/reconcile.js';
import type { Interruption } from '../src/lifecycle/rows.js';
import { addStarted, claimShares, endShare } from '../src/lifecycle/shares.js';
import { declarePredecessorsDead, leaveWorker, registerWorker } from '../src/lifecycle/workers.js';
import { RunWorker } from '../src/worker.js';
import { httpCase, insertRun, openTestDatabase, startTarget, taskRunStatus, usersStage, waitForStatus } from './helpers.js';

const QUICK = { deadAfterMs: 300, noWorkerWaitMs: 60_000, leadMs: 100 };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const backends = ['pglite', ...(process.env.DATABASE_URL ? ['postgres' as const] : [])] as const;
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

describe.each(backends)('takeover and honest ends on %s', (backend) => {
  let db: Database;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    ({ db, drop } = await openTestDatabase(backend));
  });
  afterAll(() => drop());
  beforeEach(async () => {
    await db.query("update workers set stopped_at = now(), stop_cause = 'left' where stopped_at is null");
    await db.query('update task_runs set status = 2 where status in (0, 5, 9)');
    await db.query("update case_run_shares set status = 'done' where status in ('assigned', 'running')");
  });

  const kase = (name: string, seconds = 30) => httpCase(name, 'http://127.0.0.1:9/', [usersStage(1, seconds)]);
  const share = async (caseRunId: number) =>
    (
      await db.query<{ worker_id: string; status: string; takeovers: number; started: number | null }>(
        'select worker_id, status, takeovers, started from case_run_shares where case_run_id = $1 order by share_index',
        [caseRunId],
      )
    )[0];
  const caseRun = async (caseRunId: number) =>
    (
      await db.query<{ status: number; reason: string | null; interruptions: Interruption[] | null }>(
        'select status, reason, interruptions from case_runs where id = $1',
        [caseRunId],
      )
    )[0];
  /** Lets `silent` go stale while `live` heartbeats, then runs one pass. */
  const outlive = async (live: string) => {
    await sleep(350);
    await db.query('update workers set heartbeat_at = now() where id = $1', [live]);
    await reconcile(db, QUICK);
  };

  it('resumes a share once after its worker died running it; the second death ends the case run and the task run in 3', async () => {
    const w1 = await registerWorker(db, { threads: 1, embedded: false, host: 'host-1' });
    const { taskRunId, caseRunIds } = await insertRun(db, [kase('loop')], false);
    const [id] = caseRunIds;
    await reconcile(db, QUICK);
    expect((await claimShares(db, w1)).map((c) => c.case_run_id)).toEqual([id]);
    await addStarted(db, { caseRunId: id, shareIndex: 0, workerId: w1 }, 3);

    // First death: taken over by w2, counted once, the interruption recorded.
    const w2 = await registerWorker(db, { threads: 1, embedded: false, host: 'host-2' });
    await outlive(w2);
    expect(await share(id)).toEqual({ worker_id: w2, status: 'assigned', takeovers: 1, started: 3 });
    const first = await caseRun(id);
    expect(first.status).toBe(RunStatus.Running);
    expect(first.interruptions).toHaveLength(1);
    const [gap] = first.interruptions!;
    expect(gap).toMatchObject({ share: 0, share_count: 1, worker: w1, host: 'host-1', resumed: true, reason: `worker ${w1} on host-1 stopped heartbeating` });
    expect(gap.from).toMatch(ISO);
    expect(gap.to).toMatch(ISO);
    expect(gap.seconds).toBeCloseTo((Date.parse(gap.to) - Date.parse(gap.from)) / 1000, 3);
    expect(gap.seconds).toBeGreaterThanOrEqual(0.3);
    expect(gap.seconds).toBeLessThan(5);

    // Second death while running it: not resumed, though a live worker could take it.
    expect((await claimShares(db, w2)).map((c) => c.case_run_id)).toEqual([id]);
    const w3 = await registerWorker(db, { threads: 1, embedded: false, host: 'host-3' });
    await outlive(w3);
    const ended = await caseRun(id);
    expect(ended.status).toBe(RunStatus.Aborted);
    expect(ended.reason).toBe(
      `worker died twice while running it (share 1/1: worker ${w1} on host-1 stopped heartbeating at ${gap.from}, then ` +
        `worker ${w2} on host-2 stopped heartbeating at ${ended.interruptions![1].from}): not resumed again`,
    );
    expect(ended.interruptions!.map((i) => [i.worker, i.resumed])).toEqual([
      [w1, true],
      [w2, false],
    ]);
    expect(await share(id)).toMatchObject({ worker_id: w2, status: 'failed', takeovers: 1 });
    expect(await taskRunStatus(db, taskRunId)).toEqual({ status: RunStatus.Aborted, reason: ended.reason });
    // A later pass changes nothing.
    await reconcile(db, QUICK);
    expect((await taskRunStatus(db, taskRunId)).status).toBe(RunStatus.Aborted);
  });

  it('counts no takeover for a worker that left cleanly, nor for a share its dead worker had not claimed', async () => {
    const w1 = await registerWorker(db, { threads: 1, embedded: false, host: 'h' });
    const { taskRunId, caseRunIds } = await insertRun(db, [kase('left')], false);
    const [id] = caseRunIds;
    await reconcile(db, QUICK);
    await claimShares(db, w1);
    const w2 = await registerWorker(db, { threads: 1, embedded: false, host: 'h' });
    await leaveWorker(db, w1);
    await reconcile(db, QUICK);
    expect(await share(id)).toMatchObject({ worker_id: w2, status: 'assigned', takeovers: 0 });
    expect((await caseRun(id)).interruptions!.map((i) => [i.reason, i.resumed])).toEqual([[`worker ${w1} on h left`, true]]);
    // w2 dies before claiming it: not counted either.
    const w3 = await registerWorker(db, { threads: 1, embedded: false, host: 'h' });
    await outlive(w3);
    expect(await share(id)).toMatchObject({ worker_id: w3, status: 'assigned', takeovers: 0 });
    // w3 dies running it: the first counted death, resumed on w4.
    await claimShares(db, w3);
    const w4 = await registerWorker(db, { threads: 1, embedded: false, host: 'h' });
    await outlive(w4);
    expect(await share(id)).toMatchObject({ worker_id: w4, status: 'assigned', takeovers: 1 });
    expect((await caseRun(id)).interruptions!.map((i) => i.worker)).toEqual([w1, w2, w3]);
    expect((await taskRunStatus(db, taskRunId)).status).toBe(RunStatus.Running);
  });

  it('resumes a share only on a live worker with room for its users beside what it runs, else ends the run 3 "no capacity left"', async () => {
    // Three workers of 60 users each; two runs of 100 users (50 per share) fill two of them.
    const [w1, w2, w3] = [await registerWorker(db, { threads: 1, embedded: false, host: 'h1' }), await registerWorker(db, { threads: 1, embedded: false, host: 'h2' }), await registerWorker(db, { threads: 1, embedded: false, host: 'h3' })];
    await db.query('update workers set users_per_thread = 60 where id in ($1, $2, $3)', [w1, w2, w3]);
    const big = (name: string) => httpCase(name, 'http://127.0.0.1:9/', [usersStage(100, 30)]);
    const first = await insertRun(db, [big('first')], false);
    await reconcile(db, QUICK);
    const shares = async (id: number) =>
      db.query<{ worker_id: string; status: string }>('select worker_id, status from case_run_shares where case_run_id = $1 order by share_index', [id]);
    // Three shares of 34 users each: one per worker.
    expect((await shares(first.caseRunIds[0])).map((r) => r.worker_id).sort()).toEqual([w1, w2, w3].sort());
    for (const w of [w1, w2, w3]) await claimShares(db, w);

    // w3 dies: 34 more users do not fit beside the 34 of w1 or w2 (60 each): not resumed.
    await sleep(350);
    await db.query('update workers set heartbeat_at = now() where id in ($1, $2)', [w1, w2]);
    await reconcile(db, QUICK);
    const ended = await caseRun(first.caseRunIds[0]);
    expect(ended.status).toBe(RunStatus.Aborted);
    expect(ended.reason).toBe(`no capacity left: worker ${w3} on h3 stopped heartbeating and no live worker can hold the 34 users of its share (the most one has free is 26)`);
    expect(ended.interruptions!.map((i) => [i.worker, i.resumed])).toEqual([[w3, false]]);
    expect(await taskRunStatus(db, first.taskRunId)).toEqual({ status: RunStatus.Aborted, reason: ended.reason });

    // With room (a 20-user run: shares of 7), a dead worker's share goes to a live worker.
    const small = await insertRun(db, [httpCase('small', 'http://127.0.0.1:9/', [usersStage(20, 30)])], false);
    const w4 = await registerWorker(db, { threads: 1, embedded: false, host: 'h4' });
    await db.query('update workers set users_per_thread = 60 where id = $1', [w4]);
    await db.query('update workers set heartbeat_at = now() where id in ($1, $2)', [w1, w2]);
    await reconcile(db, QUICK);
    const given = await shares(small.caseRunIds[0]);
    expect(given.map((r) => r.worker_id).sort()).toEqual([w1, w2, w4].sort());
    for (const w of [w1, w2, w4]) await claimShares(db, w);
    await sleep(350);
    await db.query('update workers set heartbeat_at = now() where id in ($1, $2)', [w1, w2]);
    await reconcile(db, QUICK);
    const after = await shares(small.caseRunIds[0]);
    const moved = given.findIndex((r) => r.worker_id === w4);
    expect(after[moved].status).toBe('assigned');
    expect([w1, w2]).toContain(after[moved].worker_id);
    expect((await taskRunStatus(db, small.taskRunId)).status).toBe(RunStatus.Running);
  });

  it('declares the embedded workers of a previous life dead at once (PGlite restart), and only those', async () => {
    const old = await registerWorker(db, { threads: 1, embedded: true, host: 'h' });
    const separate = await registerWorker(db, { threads: 1, embedded: false, host: 'h' });
    const { caseRunIds } = await insertRun(db, [kase('restart')], false);
    await reconcile(db, QUICK);
    await db.query("update case_run_shares set worker_id = $2, status = 'running' where case_run_id = $1", [caseRunIds[0], old]);
    expect((await declarePredecessorsDead(db)).map((w) => w.id)).toEqual([old]);
    const fresh = await registerWorker(db, { threads: 1, embedded: true, host: 'h' });
    await reconcile(db, { ...QUICK, deadAfterMs: 60_000 });
    const given = await share(caseRunIds[0]);
    expect(given.worker_id === fresh || given.worker_id === separate).toBe(true);
    expect(given.takeovers).toBe(1);
    const [gap] = (await caseRun(caseRunIds[0])).interruptions!;
    expect(gap.reason).toBe(`worker ${old} on h stopped heartbeating (its server restarted on the same data directory)`);
    const live = await db.query<{ id: string; stop_cause: string | null }>('select id, stop_cause from workers where id in ($1, $2, $3) order by id', [
      old,
      separate,
      fresh,
    ]);
    expect(Object.fromEntries(live.map((w) => [w.id, w.stop_cause]))).toEqual({ [old]: 'restarted', [separate]: null, [fresh]: null });
  });

  it('ends 3, not 2, a case run whose shares began no iteration, naming the share claimed late', async () => {
    const w1 = await registerWorker(db, { threads: 1, embedded: false, host: 'h1' });
    const w2 = await registerWorker(db, { threads: 1, embedded: false, host: 'h2' });
    const { taskRunId, caseRunIds } = await insertRun(db, [kase('idle', 10)], false);
    const [id] = caseRunIds;
    await reconcile(db, QUICK);
    await claimShares(db, w1);
    await claimShares(db, w2);
    // Share 2 was claimed 12.3 s after the start instant, after its 10 s plan; share 1 in time.
    await db.query("update case_run_shares set claimed_at = (select start_at from case_runs where id = $1) + interval '12.3 s' where case_run_id = $1 and share_index = 1", [id]);
    const owners = await db.query<{ worker_id: string }>('select worker_id from case_run_shares where case_run_id = $1 order by share_index', [id]);
    for (const [i, o] of owners.entries()) await endShare(db, { caseRunId: id, shareIndex: i, workerId: o.worker_id }, 'done', null, 0);
    await reconcile(db, QUICK);
    const host = owners[1].worker_id === w1 ? 'h1' : 'h2';
    expect(await caseRun(id)).toEqual({
      status: RunStatus.Aborted,
      reason: `no user started: the share 2/2 of worker ${owners[1].worker_id} on ${host} was claimed 12.3 s after its start instant, after its 10 s plan was over`,
      interruptions: null,
    });
    expect(await taskRunStatus(db, taskRunId)).toEqual({ status: RunStatus.Aborted, reason: (await caseRun(id)).reason });
  });

  it('ends 3 a case run whose one share, claimed in time, began no iteration', async () => {
    const w = await registerWorker(db, { threads: 1, embedded: false });
    const { caseRunIds } = await insertRun(db, [kase('dropped', 10)], false);
    await reconcile(db, QUICK);
    await claimShares(db, w); // before the start instant (the lead)
    await endShare(db, { caseRunId: caseRunIds[0], shareIndex: 0, workerId: w }, 'done', null, 0);
    await reconcile(db, QUICK);
    expect(await caseRun(caseRunIds[0])).toEqual({
      status: RunStatus.Aborted,
      reason: expect.stringMatching(
        /^no user started: its share began no iteration although claimed 0\.\d s or more before its start instant \(engine threads up too late for the plan, or every start dropped\)$/,
      ),
      interruptions: null,
    });
  });

  it('ends 3 a case run one of whose shares was claimed after its plan was over, 2 when the idle share was in time', async () => {
    const run = async (lateSeconds: number) => {
      const w1 = await registerWorker(db, { threads: 1, embedded: false, host: 'a' });
      const w2 = await registerWorker(db, { threads: 1, embedded: false, host: 'b' });
      const { caseRunIds } = await insertRun(db, [kase('partial', 10)], false);
      const [id] = caseRunIds;
      await reconcile(db, QUICK);
      await claimShares(db, w1);
      await claimShares(db, w2);
      await db.query(`update case_run_shares set claimed_at = (select start_at from case_runs where id = $1) + interval '${lateSeconds} s' where case_run_id = $1 and share_index = 1`, [id]);
      const owners = await db.query<{ worker_id: string }>('select worker_id from case_run_shares where case_run_id = $1 order by share_index', [id]);
      await endShare(db, { caseRunId: id, shareIndex: 0, workerId: owners[0].worker_id }, 'done', null, 40);
      await endShare(db, { caseRunId: id, shareIndex: 1, workerId: owners[1].worker_id }, 'done', null, 0);
      await reconcile(db, QUICK);
      await db.query("update workers set stopped_at = now(), stop_cause = 'left' where id in ($1, $2)", [w1, w2]);
      return { owner: owners[1].worker_id, host: owners[1].worker_id === w1 ? 'a' : 'b', row: await caseRun(id) };
    };
    const late = await run(11);
    expect(late.row.status).toBe(RunStatus.Aborted);
    expect(late.row.reason).toBe(
      `not every user started: the share 2/2 of worker ${late.owner} on ${late.host} was claimed 11.0 s after its start instant, after its 10 s plan was over and began no iteration`,
    );
    // Share 2 in time but idle (its part of the plan may be none: 1 user over 2 workers): 2.
    const inTime = await run(0.2);
    expect(inTime.row).toEqual({ status: RunStatus.Finished, reason: null, interruptions: null });
  });

  it('ends 2 a case run whose shares were claimed by workers that do not record started (older versions)', async () => {
    const w = await registerWorker(db, { threads: 1, embedded: false });
    const { caseRunIds } = await insertRun(db, [kase('legacy', 1)], false);
    await reconcile(db, QUICK);
    await db.query("update case_run_shares set status = 'done' where case_run_id = $1 and worker_id = $2", [caseRunIds[0], w]);
    await reconcile(db, QUICK);
    expect((await caseRun(caseRunIds[0])).status).toBe(RunStatus.Finished);
  });

  it('a real worker that claims a share after its plan was over starts nothing: the case run ends 3', async () => {
    const target = await startTarget();
    const absent = await registerWorker(db, { threads: 1, embedded: false, host: 'absent' });
    const { taskRunId, caseRunIds } = await insertRun(db, [httpCase('late', target.url, [usersStage(2, 1)], 50)], false);
    await reconcile(db, QUICK);
    await sleep(1_600); // the 1 s plan is over before any worker claims the share
    const worker = new RunWorker({ db, threads: 1, reconcile: { ...QUICK, deadAfterMs: 60_000 } });
    await worker.start();
    try {
      await leaveWorker(db, absent); // handed over: not a death, and never started
      worker.poke();
      expect(await waitForStatus(db, taskRunId, [2, 3, 4], 10_000)).toBe(RunStatus.Aborted);
      const row = await caseRun(caseRunIds[0]);
      expect(row.reason).toMatch(new RegExp(`^no user started: the share 1/1 of worker ${worker.id} on \\S+ was claimed \\d+\\.\\d s after its start instant, after its 1 s plan was over$`));
      expect(await share(caseRunIds[0])).toEqual({ worker_id: worker.id, status: 'done', takeovers: 0, started: 0 });
      expect(target.count).toBe(0);
    } finally {
      await worker.stop();
      await target.close();
    }
  });

  it('a real worker records the iterations its share began', async () => {
    const target = await startTarget();
    const worker = new RunWorker({ db, threads: 1, reconcile: { ...QUICK, deadAfterMs: 60_000 } });
    await worker.start();
    try {
      const { taskRunId, caseRunIds } = await insertRun(db, [httpCase('began', target.url, [usersStage(2, 2)], 100)], false);
      worker.poke();
      expect(await waitForStatus(db, taskRunId, [2, 3, 4], 10_000)).toBe(RunStatus.Finished);
      const { started } = await share(caseRunIds[0]);
      const [{ n }] = await db.query<{ n: number }>("select sum((data->>'started')::int)::int as n from intervals where case_run_id = $1", [caseRunIds[0]]);
      expect(started).toBe(n);
      expect(started).toBeGreaterThanOrEqual(2);
    } finally {
      await worker.stop();
      await target.close();
    }
  });
});
