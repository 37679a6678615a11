/**
 * Intelligent high pressure (pressure_mode 7) split over two workers: the knee is judged on the merged
 * intervals of both (read back from the database), and both shares hold at the same step. Share 0's
 * users all take one branch of a fixed VU-percentage controller and share 1's the other (user ids
 * alternate between the shares), and only share 1's path fails once it has more than 2 requests in
 * flight: on its own, share 0 sees no knee and would climb to the top step. Postgres when
 * DATABASE_URL is set, else PGlite.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MergedStepTracker, prepareCase } from '@perftest/engine';
import { findKnee } from '@perftest/engine';
import { RunStatus, unpackRows, type CaseInfoDetail, type StoredInterval, type TestCaseStage } from '@perftest/model';
import type { Database } from '@perftest/store';
import { RunWorker } from '../src/worker.js';
import { insertRun, openTestDatabase, waitForStatus } from './helpers.js';

const backend = process.env.DATABASE_URL ? 'postgres' : 'pglite';

/** Steps of 2 s: 2, 4, 6, 8, 10 users (half on each share); a step needs 90 % success. */
const stage: TestCaseStage = {
  name: 'peak',
  pressure_mode: 7,
  operate_mode: 0,
  time: 10,
  current_user_num: 2,
  step_size: 2,
  step_duration: 2,
  maximum: 12,
  peak_load_kpis: { success_rate: { value: 90 } },
} as TestCaseStage;

function peakCase(base: string): CaseInfoDetail {
  const get = (path: string) => ({
    data_type: 0,
    content: [
      { content_type: 2, content: { protocol_type: 1, name: `get${path}`, method: 'GET', url: `${base}${path}` } },
      { content_type: 3, content: { checks: [{ source: 'status', operator: '<', value: '300' }], logic: 'AND' } },
    ],
  });
  return {
    name: 'peak',
    contents: [{ data_type: 203, data: { mode: 'fixed', branches: [{ weight: 1, contents: [get('/a')] }, { weight: 1, contents: [get('/b')] }] } }],
    stages: [stage],
  } as unknown as CaseInfoDetail;
}

describe(`intelligent high pressure over two workers (${backend})`, () => {
  let db: Database;
  let drop: () => Promise<void>;
  let server: Server;
  let base = '';
  let inFlightB = 0;
  const workers: RunWorker[] = [];

  beforeAll(async () => {
    ({ db, drop } = await openTestDatabase(backend));
    server = createServer((req, res) => {
      const b = req.url === '/b';
      if (b) inFlightB++;
      const status = b && inFlightB > 2 ? 500 : 200;
      setTimeout(() => {
        if (b) inFlightB--;
        res.writeHead(status).end('x');
      }, 20);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    for (let i = 0; i < 2; i++) {
      const worker = new RunWorker({ db, threads: 1 });
      await worker.start();
      workers.push(worker);
    }
  });
  afterAll(async () => {
    for (const worker of workers) await worker.stop();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await drop();
  });

  it('holds both shares at the last good step of the merged data', async () => {
    const { taskRunId, caseRunIds } = await insertRun(db, [peakCase(base)], false);
    expect(await waitForStatus(db, taskRunId, [2, 3, 4], 20_000)).toBe(RunStatus.Finished);
    const rows = unpackRows(
      await db.query<{ second: number | string; share_index: number; data: StoredInterval }>(
        'select second, share_index, data from intervals where case_run_id = $1 order by second, share_index',
        [caseRunIds[0]],
      ),
    );
    const [run] = await db.query<{ start_at: Date }>('select start_at from case_runs where id = $1', [caseRunIds[0]]);
    const byShare = [0, 1].map((s) => rows.filter((r) => r.share_index === s).map((r) => r.data));
    // Both shares carried load; only share 1 saw failures.
    const failed = byShare.map((list) => list.reduce((n, i) => n + Object.values(i.cards).reduce((m, c) => m + c.requests - c.outcomes.success, 0), 0));
    expect(failed[0]).toBe(0);
    expect(failed[1]).toBeGreaterThan(0);

    // The verdict on the merged rows, as every worker (and the report) computes it: the 6-user step fails.
    const prepared = await prepareCase({ case: peakCase(base) });
    if (!prepared.ok) throw new Error(JSON.stringify(prepared.problems));
    const tracker = MergedStepTracker.for(prepared.prepared, new Date(run.start_at).getTime())!;
    const seconds = [...new Set(rows.map((r) => Number(r.second)))];
    for (const second of seconds) tracker.addSecond(rows.filter((r) => Number(r.second) === second).map((r) => r.data));
    const { knee, peak } = findKnee(tracker.steps, 90);
    expect(tracker.steps[knee].users).toBe(6);
    expect(peak?.users).toBe(4);

    // Both shares end at their half of the peak step's 4 users; share 0 alone would have climbed to 5.
    const lastUsers = byShare.map((list) => list.filter((i) => i.users > 0).at(-1)!.users);
    expect(lastUsers).toEqual([2, 2]);
    expect(Math.max(...byShare[0].map((i) => i.users))).toBeLessThanOrEqual(4);
  });
});
