/**
 * Killed servers and workers (kill -9), as an out-of-memory kill or a crash does it, over HTTP on the
 * real executables (docs/run-lifecycle.md, "Takeover"):
 *  - the embedded server on a PGlite data directory, killed mid-run and started again: the run
 *    resumes at once (the new embedded worker declares its previous life dead), ends 2 within its
 *    planned time, records the interruption (history and report), its report's duration leaves the
 *    time down out, and the kill lost at most the second in progress;
 *  - the same server killed again while it runs the resumed share: its third start finds the run
 *    ended 3, "worker died twice while running it", and sends nothing more;
 *  - on Postgres, separate worker processes killed one after the other while running the same share.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunStatus } from '@perftest/model';
import { TEST_AK, TEST_SK, TestClient } from './helpers.js';
import { startServer, type ServerProcess } from './processes.js';
import {
  createTask,
  describeOnPostgres,
  httpCase,
  PROJECT,
  ProcessCluster,
  settled,
  startTarget,
  startTask,
  usersStage,
  waitForRunStatus,
  type CountingTarget,
} from './runs-fixtures.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const RESTARTED = 'stopped heartbeating \\(its server restarted on the same data directory\\)';

/** Waits until the target has answered `n` more requests than `from` (or throws after `ms`). */
async function answered(target: CountingTarget, from: number, n: number, ms = 20_000): Promise<void> {
  const until = Date.now() + ms;
  while (target.count - from < n) {
    if (Date.now() > until) throw new Error(`the target answered ${target.count - from} of ${n} requests in ${ms} ms`);
    await sleep(20);
  }
}

describe('the embedded server on PGlite, killed mid-run', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'perftest-crash-'));
  let target: CountingTarget;
  let server: ServerProcess | undefined;
  let client: TestClient;

  const start = async () => {
    server = await startServer(
      { PERFTEST_DATA_DIR: dataDir, PERFTEST_AK: TEST_AK, PERFTEST_SK: TEST_SK, PORT: '0', PERFTEST_WORKERS: '1', LOG_LEVEL: 'warn' },
      60_000,
    );
    client = new TestClient(server.baseUrl, { kind: 'sign', ak: TEST_AK, sk: TEST_SK });
  };
  const kill = async () => {
    const child = server!.child;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
    server = undefined;
  };
  const history = async (taskId: number) => {
    const res = await client.get(`/v1/${PROJECT}/tasks/history-run-list/${taskId}`);
    expect(res.status, res.text).toBe(200);
    return res.body.log_list[0];
  };

  beforeAll(async () => {
    target = await startTarget();
    await start();
  }, 90_000);
  afterAll(async () => {
    if (server) await server.stop();
    await target?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('resumes the run after a restart, records the interruption, leaves the time down out of its duration and loses at most the second in progress', async () => {
    const users = 2;
    const { suiteId, taskId } = await createTask(client, [httpCase('resume', `${target.url}/r`, [usersStage(users, 20)], 50)], false);
    const taskRunId = await startTask(client, suiteId, taskId);
    expect((await waitForRunStatus(client, taskId, [RunStatus.Running], 10_000)).status).toBe(RunStatus.Running);
    await answered(target, 0, 60);
    await sleep(1_000 + Math.random() * 1_000);
    await kill();
    const killedAt = Date.now();
    await sleep(2_000);
    await start();
    const end = await waitForRunStatus(client, taskId, [2, 3, 4], 40_000);
    expect(end.status).toBe(RunStatus.Finished);

    const entry = await history(taskId);
    expect(entry.run_id).toBe(taskRunId);
    expect(entry.reason).toBeNull();
    expect(entry.interruptions).toHaveLength(1);
    const [gap] = entry.interruptions;
    expect(gap).toMatchObject({ share: 0, share_count: 1, resumed: true });
    expect(gap.reason).toMatch(new RegExp(`^worker \\S+ on \\S+ ${RESTARTED}$`));
    // Down from the kill (last heartbeat or last second written) to the takeover after the restart.
    expect(Date.parse(gap.from)).toBeLessThanOrEqual(killedAt + 50);
    expect(Date.parse(gap.from)).toBeGreaterThan(killedAt - 1_500);
    expect(gap.seconds).toBeGreaterThanOrEqual(2);

    const res = await client.get(`/v1/${PROJECT}/task-run-infos/${taskRunId}/case-run-infos/${gap.case_run_id}/reports`);
    expect(res.status, res.text).toBe(200);
    const { outline, brokens, details } = res.body.result;
    expect(outline.interruptions).toHaveLength(1);
    expect(outline.interruptions[0]).toMatchObject({ worker: gap.worker, seconds: gap.seconds, resumed: true });
    // The window spans the gap; the duration does not.
    const span = brokens.commonTimestamps.length;
    expect(outline.interruptedSeconds).toBeGreaterThanOrEqual(Math.floor(gap.seconds) - 1);
    expect(outline.interruptedSeconds).toBeLessThanOrEqual(Math.ceil(gap.seconds));
    expect(outline.duration).toBe(span - outline.interruptedSeconds);
    const merged = await client.get(`/v2/${PROJECT}/task-run-infos/${taskRunId}/reports/log-outline`);
    expect(merged.status, merged.text).toBe(200);
    expect(merged.body.result.outline.task_basic_execution_data.duration).toBe(outline.duration);
    // The run ended within its planned time: the timeline resumed where it was, it did not restart.
    expect(Date.parse(outline.endTime) - Date.parse(outline.startTime)).toBeLessThan(22_000);

    // What the target answered and the report does not hold: at most the second in progress at the
    // kill (plus the flush delay) and the requests in flight then.
    const requests = details.data[0].performance.requests as number;
    const lost = (await settled(() => target.count)) - requests;
    const perSecond = Math.max(...(brokens.tps_brokens.tps as number[])); // every request succeeds
    expect(perSecond).toBeGreaterThan(10);
    expect(lost).toBeGreaterThanOrEqual(0);
    expect(lost).toBeLessThanOrEqual(Math.ceil(perSecond * 1.1) + users);
  }, 120_000);

  it('does not resume a second time: killed again while running the resumed share, its next start finds the run ended 3', async () => {
    const { suiteId, taskId } = await createTask(client, [httpCase('loop', `${target.url}/l`, [usersStage(1, 120)], 50)], false);
    const taskRunId = await startTask(client, suiteId, taskId);
    expect((await waitForRunStatus(client, taskId, [RunStatus.Running], 10_000)).status).toBe(RunStatus.Running);
    await answered(target, target.count, 10);
    await kill(); // first death
    await start();
    await answered(target, target.count, 10); // resumed: the new life claimed and runs the share
    await kill(); // second death while running it
    await start();
    const end = await waitForRunStatus(client, taskId, [2, 3, 4], 10_000);
    expect(end.status).toBe(RunStatus.Aborted);
    const entry = await history(taskId);
    expect(entry.run_id).toBe(taskRunId);
    expect(entry.reason).toMatch(
      new RegExp(
        `^worker died twice while running it \\(share 1/1: worker \\S+ on \\S+ ${RESTARTED} at \\S+, then worker \\S+ on \\S+ ${RESTARTED} at \\S+\\): not resumed again$`,
      ),
    );
    expect(entry.interruptions.map((i: { resumed: boolean }) => i.resumed)).toEqual([true, false]);
    expect(entry.interruptions[0].worker).not.toBe(entry.interruptions[1].worker);
    // Nothing runs it any more.
    const after = await settled(() => target.count, 1_500);
    await sleep(1_000);
    expect(target.count).toBe(after);
    const report = await client.get(`/v1/${PROJECT}/task-run-infos/${taskRunId}/case-run-infos/${entry.interruptions[0].case_run_id}/reports`);
    expect(report.body.result.outline).toMatchObject({ reason: entry.reason, taskStatus: RunStatus.Aborted });
  }, 150_000);
});

const postgres = describeOnPostgres('runs-crash-loop', 'kill separate workers on Postgres');

postgres('separate workers on Postgres killed twice while running one share', () => {
  let cluster: ProcessCluster;

  beforeAll(async () => {
    cluster = await ProcessCluster.start(3);
  }, 90_000);
  afterAll(async () => {
    await cluster?.close();
  });

  it('resumes the share of the first killed worker and ends the case run 3 when its new worker is killed too', async () => {
    const { fresh, target, client } = cluster;
    const { suiteId, taskId } = await createTask(client, [httpCase('pg-loop', `${target.url}/p`, [usersStage(3, 120)], 50)], false);
    const taskRunId = await startTask(client, suiteId, taskId);
    expect((await waitForRunStatus(client, taskId, [RunStatus.Running], 10_000)).status).toBe(RunStatus.Running);
    await answered(target, 0, 30);
    const shareOf = async (index: number) =>
      (
        await fresh.db.query<{ worker_id: string; status: string; takeovers: number }>(
          `select s.worker_id, s.status, s.takeovers from case_run_shares s join case_runs c on c.id = s.case_run_id
            where c.task_run_id = $1 and s.share_index = $2`,
          [taskRunId, index],
        )
      )[0];
    const first = await shareOf(0);
    const victim = cluster.workers.find((w) => w.id === first.worker_id)!;
    await victim.kill('SIGKILL');
    cluster.workers = cluster.workers.filter((w) => w !== victim);
    // Declared dead after 10 s without heartbeat, its share goes to a live worker, which runs it.
    const until = Date.now() + 30_000;
    let taken = await shareOf(0);
    while (!(taken.worker_id !== victim.id && taken.status === 'running') && Date.now() < until) {
      await sleep(100);
      taken = await shareOf(0);
    }
    expect(taken).toMatchObject({ status: 'running', takeovers: 1 });
    expect((await waitForRunStatus(client, taskId, [RunStatus.Running], 1_000)).status).toBe(RunStatus.Running);
    const second = cluster.workers.find((w) => w.id === taken.worker_id)!;
    await second.kill('SIGKILL');
    cluster.workers = cluster.workers.filter((w) => w !== second);

    const end = await waitForRunStatus(client, taskId, [2, 3, 4], 30_000);
    expect(end.status).toBe(RunStatus.Aborted);
    const [caseRun] = await fresh.db.query<{ id: number; status: number; reason: string; interruptions: Array<{ worker: string; share: number; resumed: boolean }> }>(
      'select id, status, reason, interruptions from case_runs where task_run_id = $1',
      [taskRunId],
    );
    expect(caseRun.status).toBe(RunStatus.Aborted);
    expect(caseRun.reason).toMatch(
      new RegExp(
        `^worker died twice while running it \\(share 1/3: worker ${victim.id} on \\S+ stopped heartbeating at \\S+, then worker ${second.id} on \\S+ stopped heartbeating at \\S+\\): not resumed again$`,
      ),
    );
    const ofShare0 = caseRun.interruptions.filter((i) => i.share === 0).map((i) => [i.worker, i.resumed]);
    expect(ofShare0).toEqual([
      [victim.id, true],
      [second.id, false],
    ]);
    const [run] = await fresh.db.query<{ status: number; reason: string }>('select status, reason from task_runs where id = $1', [taskRunId]);
    expect(run).toEqual({ status: RunStatus.Aborted, reason: caseRun.reason });
  }, 120_000);
});
