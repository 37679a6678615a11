/**
 * The 50-start storm (issue 8, docs/run-lifecycle.md "Queue and capacity"): 50 tasks started at once
 * on the embedded server all answer 200 with their own task_run_id; at most PERFTEST_MAX_RUNS_AT_ONCE
 * runs are out of the queue at any time; the queue is first come first served (each run's stage 0
 * starts no earlier than that of every run whose start was answered before it); every run sends its load and ends 2,
 * or ends 3 with its reason, and what the target answered is exactly what the runs recorded. How
 * fast the starts answer and how the API holds up meanwhile are figures of `npx pnpm bench:admission`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MAX_RUNS_AT_ONCE } from '@perftest/runner';
import { backends, startTestServer, type TestServer } from './helpers.js';
import { createTask, httpCase, recordedRequests, setTaskStatus, startTarget, usersStage, type CountingTarget } from './runs-fixtures.js';

const STARTS = 50;

describe.each(backends())('50 starts at once on %s', (backend) => {
  let server: TestServer;
  let target: CountingTarget;
  beforeAll(async () => {
    target = await startTarget();
    server = await startTestServer(backend, { runs: { workers: 1 } });
  });
  afterAll(async () => {
    await server?.close();
    await target?.close();
  });

  it('answers every start, queues beyond the runs at once in order, and every run sends its load or ends 3 saying why', async () => {
    const first = await createTask(server.client, [httpCase('storm-0', target.url, [usersStage(2, 1)], 100)], false);
    const tasks = [first];
    for (let i = 1; i < STARTS; i++) {
      tasks.push(await createTask(server.client, [httpCase(`storm-${i}`, target.url, [usersStage(2, 1)], 100)], false, first.suiteId));
    }
    // how many runs are out of the queue, sampled while the storm lasts
    let outMost = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const [row] = await server.db.query<{ n: number }>(
          'select count(*)::int as n from task_runs where status in (0, 5) or (status = 9 and ready_at is not null)',
        );
        outMost = Math.max(outMost, row.n);
        await new Promise((r) => setTimeout(r, 100));
      }
    })();

    const started = Date.now();
    const answers = await Promise.all(tasks.map((t) => setTaskStatus(server.client, t.suiteId, t.taskId, 9).then((res) => ({ res, ms: Date.now() - started }))));
    console.log(`${backend}: 50 starts answered in ${answers.map((a) => a.ms).sort((a, b) => a - b).join(', ')} ms`);
    for (const { res } of answers) expect(res.status, res.text).toBe(200);
    const runIds = answers.map(({ res }) => res.body.result.task_run_id as number);
    expect(new Set(runIds).size).toBe(STARTS);

    const until = Date.now() + 180_000;
    let ended: Array<{ id: number; status: number; reason: string | null }> = [];
    while (Date.now() < until) {
      ended = await server.db.query('select id, status, reason from task_runs where status in (2, 3, 4) order by id');
      if (ended.length === STARTS) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    sampling = false;
    await sampler;
    console.log(`${backend}: all ended after ${Date.now() - started} ms; at most ${outMost} out of the queue`);
    expect(ended).toHaveLength(STARTS);
    expect(outMost).toBeLessThanOrEqual(DEFAULT_MAX_RUNS_AT_ONCE);

    let recorded = 0;
    const outcomes = new Map<string, number>();
    for (const run of ended) {
      const requests = await recordedRequests(server.db, run.id);
      recorded += requests;
      const outcome = run.status === 2 && requests > 0 ? 'sent its load, ended 2' : run.status === 3 && run.reason ? `ended 3: ${run.reason}` : `ended ${run.status} with ${requests} requests`;
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
    }
    console.log(`${backend}: ${JSON.stringify(Object.fromEntries(outcomes))}`);
    for (const outcome of outcomes.keys()) expect(outcome === 'sent its load, ended 2' || outcome.startsWith('ended 3: ')).toBe(true);
    expect(recorded).toBe(target.count);

    // First come first served: a run whose start was answered (its row committed) before another's
    // never starts after it. Not by id: on Postgres a start takes its id before it commits, and
    // concurrent starts commit in any order (a run with a higher id was seen, queued and dispatched
    // first). Answers within JITTER_MS of each other may have committed either way (a response can
    // also lag its commit on a busy server); a queue out of order shows inversions of seconds.
    const JITTER_MS = 250;
    const starts = await server.db.query<{ id: number; start_at: Date | null }>(
      'select t.id, min(c.start_at) as start_at from task_runs t join case_runs c on c.task_run_id = t.id group by t.id order by t.id',
    );
    const answeredAt = new Map(answers.map(({ res, ms }) => [res.body.result.task_run_id as number, ms]));
    const dispatched = starts
      .filter((r) => r.start_at !== null)
      .map((r) => ({ id: r.id, answered: answeredAt.get(r.id) as number, start: new Date(r.start_at as Date).getTime() }));
    expect(dispatched.length).toBeGreaterThanOrEqual(ended.filter((r) => r.status === 2).length);
    const overtaken = dispatched.flatMap((a) => dispatched.filter((b) => b.answered > a.answered + JITTER_MS && b.start < a.start).map((b) => [a.id, b.id]));
    expect(overtaken).toEqual([]);
  }, 300_000);
});
