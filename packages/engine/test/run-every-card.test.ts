/**
 * The issue's acceptance run: one case file holding every card type runs from the CLI through eight
 * stages, one per pressure mode, against a local counting server, and the recorded request count
 * reconciles exactly with what the server received (pre-step requests are served but, by design, not
 * recorded).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CaseInfoDetail, Contents, TestCaseStage } from '@perftest/model';
import { startCountingServer, type CountingServer } from './run-helpers.js';

const root = path.resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');
const tsxCli = createRequire(import.meta.url).resolve('tsx/cli');

const get = (url: string, name: string, extra: object[] = []): Contents => ({
  content_id: 0,
  data_type: 0,
  content: [{ content_type: 2, content: { protocol_type: 1, name, method: 'GET', url } }, ...extra],
});

/** Every card type of docs/case-format.md (but the unsupported plug-in), each issuing requests. */
function everyCardCase(base: string, stages: TestCaseStage[]): CaseInfoDetail & { variables: unknown[]; transactions: unknown[] } {
  return {
    name: 'every-card',
    setup_contents: [get(`${base}setup`, 'setup')],
    contents: [
      { data_type: 1, data: { assignments: [{ name: 'n', value: '${__randomInt(1,5)}' }, { name: 'id', value: '${__uuid}' }] } },
      get(`${base}main?n=\${n}&user=\${user}&id=\${id}`, 'main', [
        { content_type: 3, content: { checks: [{ source: 'status', operator: 'equals', value: '200' }], logic: 'AND' } },
        { content_type: 4, content: { extractions: [{ name: 'word', source: 'body', expression: '(o)k', match_no: 1, group_index: 1 }] } },
        { content_type: 1, content: { think_time: 2 } },
      ]),
      { data_type: 201, data: { count: 2, contents: [get(`${base}loop`, 'loop')] } },
      { data_type: 202, conditions: { left: '${word}', operator: 'equals', right: 'o' }, data: { contents: [get(`${base}cond`, 'cond')] } },
      { data_type: 202, conditions: { left: '${word}', operator: 'equals', right: 'never' }, data: { contents: [get(`${base}never`, 'never')] } },
      {
        data_type: 203,
        data: { mode: 'random', branches: [{ weight: 1, contents: [get(`${base}a`, 'a')] }, { weight: 1, contents: [get(`${base}b`, 'b')] }] },
      },
      { data_type: 204, data: { rps: 100000, contents: [get(`${base}throttled`, 'throttled')] } },
      { data_type: 301, data: { users: 1, timeout: 100 } },
      { content_id: 77, data_type: 0, content: [] },
    ],
    stages,
    variables: [{ id: 1, name: 'user', variable_type: 1, variable_mode: 0, share_mode: 0, variable: [1, 10] }],
    transactions: [{ id: 77, name: 'txn', contents: [get(`${base}txn`, 'txn')] }],
  };
}

/** One stage per pressure_mode, two seconds each. */
const STAGES: TestCaseStage[] = [
  { name: 'concurrency', pressure_mode: 0, operate_mode: 0, time: 2, issue_num: 3 },
  { name: 'tps', pressure_mode: 1, operate_mode: 0, time: 2, tps_value: 40, issue_num: 4 },
  { name: 'peak-load', pressure_mode: 2, operate_mode: 0, time: 2, ramp_up: 1, current_user_num: 1, issue_num: 3 },
  { name: 'surge', pressure_mode: 3, operate_mode: 0, time: 2, loop_count: 1, minimum: 1, maximum: 3, max_duration: 1, issue_num: 3 },
  { name: 'surge-tps', pressure_mode: 4, operate_mode: 0, time: 2, loop_count: 1, minimum: 20, maximum: 40, max_duration: 1, issue_num: 4 },
  { name: 'flapping', pressure_mode: 5, operate_mode: 0, time: 2, loop_count: 1, minimum: 1, maximum: 3, issue_num: 3 },
  { name: 'flapping-tps', pressure_mode: 6, operate_mode: 0, time: 2, loop_count: 1, minimum: 20, maximum: 40, issue_num: 4 },
  { name: 'intelligent', pressure_mode: 7, operate_mode: 0, time: 2, step_duration: 1, step_size: 1, current_user_num: 1, maximum: 3, issue_num: 3 },
];

function perftest(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [tsxCli, path.join(root, 'apps/api/src/cli/perftest.ts'), ...args], { cwd: tmpdir(), timeout: 60_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

let server: CountingServer;
let dir: string;
beforeAll(async () => {
  server = await startCountingServer();
  server.recordPaths = true;
  dir = await mkdtemp(path.join(tmpdir(), 'perftest-every-card-'));
});
afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

describe('a case with every card type, from the CLI, under each of the eight pressure modes', () => {
  it('records exactly the requests the target received (pre-steps excepted)', async () => {
    const file = path.join(dir, 'case.json');
    await writeFile(file, JSON.stringify(everyCardCase(server.url, STAGES)));
    const { code, stdout, stderr } = await perftest(['run', file, '--json']);
    expect(code, stderr).toBe(0);
    const result = JSON.parse(stdout.trim().split('\n').at(-1) as string);
    const byPath = (prefix: string) => server.paths.filter((p) => p.startsWith(`/${prefix}`)).length;
    const setup = byPath('setup');
    expect(setup).toBeGreaterThan(0);
    expect(result.requests).toBe(server.served - setup);
    expect(result.errorCount).toBe(0);
    // Each iteration: main, loop x2, cond, one branch, throttled, txn — and never the false condition.
    // The plan's end halts: a pass it cut short sent a prefix of these and is no iteration
    // (docs/run-lifecycle.md#stop); at most one per user then running.
    const iterations = result.transactions;
    expect(iterations).toBeGreaterThan(8);
    const cut = byPath('main') - iterations;
    expect(cut).toBeGreaterThanOrEqual(0);
    expect(cut).toBeLessThanOrEqual(4);
    const within = (n: number, per: number) => {
      expect(n).toBeGreaterThanOrEqual(per * iterations);
      expect(n).toBeLessThanOrEqual(per * (iterations + cut));
    };
    within(byPath('loop'), 2);
    within(byPath('cond'), 1);
    expect(byPath('never')).toBe(0);
    within(byPath('a') + byPath('b'), 1);
    within(byPath('throttled'), 1);
    within(byPath('txn'), 1);
    within(result.requests, 7);
    // All eight two-second stages ran, and the three TPS modes started iterations on schedule.
    expect(result.duration).toBeGreaterThanOrEqual(15);
    expect(result.duration).toBeLessThan(25);
    expect(result.started).toBeGreaterThan(0);
    expect(result.dropped).toBe(0);
    // Variables reached the wire: the integer variable and the data instruction's values.
    const main = server.paths.filter((p) => p.startsWith('/main'));
    expect(main.every((p) => /n=[1-5]&user=(10|[1-9])&id=[0-9a-f]{32}$/.test(p))).toBe(true);
  }, 60_000);
});
