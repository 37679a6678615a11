import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { backends, freshDatabase } from './helpers.js';
import type { Database } from '@perftest/store';
import { insertCase, saveCase } from '../src/storage/cases.js';
import { CaseJsonCache } from '../src/routes/case-json-cache.js';
import { taskInfoJson } from '../src/routes/task-info.js';
import { addTaskCase, createTask, requireTaskView } from '../src/storage/tasks.js';

describe.each(backends())('task view on %s', (backend) => {
  let db: Database;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    ({ db, drop } = await freshDatabase(backend));
  });
  afterAll(async () => {
    await drop?.();
  });

  /** A suite of `project` with a task of two cases (in reverse id order) and two runs, the latest with one case run. */
  async function seed(project: string) {
    const [suite] = await db.query<{ id: number }>(`insert into test_suites(project, name, description) values ($1, 's', '') returning id`, [project]);
    const task = await createTask(db, suite.id, { name: 't', description: 'd', parallel: true, doc: { operate_mode: 1 } });
    const a = await insertCase(db, suite.id, 'a', { contents: [], status: 0 } as never, 1);
    const b = await insertCase(db, suite.id, 'b', {}, 2);
    await addTaskCase(db, task, b, 1);
    await addTaskCase(db, task, a, 2);
    const runs = [];
    for (const status of [2, 0]) {
      const [run] = await db.query<{ id: number }>(
        `insert into task_runs(task_id, test_suite_id, name, parallel, status) values ($1, $2, 't', true, $3) returning id`,
        [task, suite.id, status],
      );
      runs.push(run.id);
    }
    const [caseRun] = await db.query<{ id: number }>(
      `insert into case_runs(task_run_id, case_id, position, name, status, input, cards) values ($1, $2, 1, 'b', 0, '{}', '[]') returning id`,
      [runs[1], b],
    );
    return { task, a, b, latestRun: runs[1], caseRun: caseRun.id };
  }

  it('reads the same through the prepared path (plain project names) and the plain query (any other)', async () => {
    for (const project of ['proj-a', "it's a project"]) {
      const s = await seed(project);
      for (let i = 0; i < 3; i++) {
        const view = await requireTaskView(db, project, s.task);
        expect(view.task.id).toBe(s.task);
        expect(view.task.doc).toEqual({ operate_mode: 1 });
        expect(view.task.created_at).toBeInstanceOf(Date);
        expect(view.cases.map((c) => [c.id, c.name, c.status, c.sort, c.revision])).toEqual([[s.b, 'b', 1, 2, 1], [s.a, 'a', 0, 1, 1]]);
        expect(view.latestRun).toEqual({ id: s.latestRun, status: 0 });
        expect(view.caseRuns).toEqual([{ id: s.caseRun, task_run_id: s.latestRun, case_id: s.b, name: 'b', status: 0 }]);
      }
      await expect(requireTaskView(db, project === 'proj-a' ? 'other' : 'proj-a', s.task)).rejects.toMatchObject({ status: 404 });
    }
    // PGlite took the prepared path (one session: the statement is visible here); on Postgres the
    // driver prepares statements of its own, never this one.
    const prepared = (await db.query<{ name: string }>('select name from pg_prepared_statements')).map((p) => p.name);
    expect(prepared.includes('perftest_task_view_v3')).toBe(backend === 'pglite');
  });

  it('renders each case once per revision and each case run\'s card list once, and a saved case anew', async () => {
    const s = await seed('proj-cache');
    const cards = [{ key: 'k1', name: 'get', method: 'GET', url: 'http://t/a', protocolType: 1 }];
    await db.query('update case_runs set cards = $2::jsonb where id = $1', [s.caseRun, JSON.stringify(cards)]);
    const cache = new CaseJsonCache(db);
    const answer = async () => JSON.parse(await taskInfoJson(await requireTaskView(db, 'proj-cache', s.task), cache)) as any;
    const first = await answer();
    expect(first).toMatchObject({ code: 'SVCSTG.CPTS.0000000', message: 'success' });
    expect(first.taskInfo.case_list.map((c: any) => [c.case_id, c.name, c.status])).toEqual([[s.b, 'b', 1], [s.a, 'a', 0]]);
    expect(first.taskInfo.related_temp_running_data).toEqual([
      expect.objectContaining({ content_method_url: ['get#GET#http://t/a'], related_temp_running_id: s.caseRun, temp_running_status: 0 }),
    ]);
    expect(first.taskInfo.related_temp_running_data[0].related_temp_running_data[0].content_method_url).toEqual(['get#GET#http://t/a']);
    // a second read renders nothing: the rendered texts are the same strings
    const reads = vi.spyOn(db, 'query');
    expect(await answer()).toEqual(first);
    expect(reads.mock.calls.map((c) => String(c[0]))).not.toContainEqual(expect.stringContaining('from cases where id in'));
    expect(reads.mock.calls.map((c) => String(c[0]))).not.toContainEqual(expect.stringContaining('from case_runs where id in'));
    reads.mockRestore();
    // a saved case is a new revision, read and rendered again
    const [row] = await db.query<any>('select * from cases where id = $1', [s.a]);
    await saveCase(db, row, 'a2', { contents: [], status: 0, description: 'changed' } as never);
    const after = await answer();
    expect(after.taskInfo.case_list[1]).toMatchObject({ case_id: s.a, name: 'a2', description: 'changed' });
    expect((await requireTaskView(db, 'proj-cache', s.task)).cases[1].revision).toBe(2);
  });
});
