/**
 * Admission limits over HTTP (docs/security.md, "Limits"): saves and starts over a limit are a 400
 * naming the limit, the asked value and the allowed one, and store or record nothing; 1,000,000
 * users are refused without the server growing; a case of exactly the default card limit is saved;
 * a start whose every request goes to a denied address is refused. The server runs with some limits
 * lowered (to keep the documents small) and the users and cards limits at their defaults.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../src/admission/limits.js';
import { backends, expectErrorShape, startTestServer, type TestResponse, type TestServer } from './helpers.js';

const P = 'limits-project';
const LOWERED = { ...DEFAULT_LIMITS, nesting: 2, packetBytes: 4096, bodyBytes: 1024, variableBytes: 2048, stagesPerCase: 3, runSeconds: 3600 };

const get = (url: string, extra: object = {}) => ({ data_type: 0, content: [{ content_type: 2, content: { protocol_type: 1, method: 'GET', url, ...extra } }] });
const loop = (contents: object[]) => ({ data_type: 201, data: { count: 1, contents } });
const users = (n: number, time = 60) => ({ pressure_mode: 0, operate_mode: 0, time, issue_num: n });

function expectLimit(res: TestResponse, message: string): void {
  expectErrorShape(res, 400);
  expect(res.body.error_code).toBe('CPTS.00000410');
  expect(res.body.error_msg).toBe(message);
}

describe.each(backends())('admission limits on %s', (backend) => {
  let server: TestServer;
  let suite: number;
  let task: number;
  const createCase = (body: object, taskId = task) => server.client.post(`/v1/${P}/task-cases`, { name: 'c', type: 0, task_id: taskId, ...body });
  const runs = async () => Number((await server.db.query<{ n: number }>('select count(*)::int as n from task_runs'))[0].n);

  beforeAll(async () => {
    server = await startTestServer(backend, { limits: LOWERED, targetDeny: ['127.0.0.0/8:1'] });
    suite = (await server.client.post(`/v1/${P}/test-suites`, { name: 'limits' })).body.project_id;
    task = (await server.client.post(`/v1/${P}/tasks`, { name: 'limits', project_id: suite })).body.task_id;
  });
  afterAll(() => server?.close());

  it('refuses 1,000,000 users when a case is saved, without the server growing', async () => {
    const rss = process.memoryUsage().rss;
    const res = await createCase({ name: 'million', contents: [get('http://127.0.0.1:1/')], stages: [users(1_000_000)] });
    expectLimit(res, 'the users of stages[0] of case "million" is 1000000: the limit PERFTEST_MAX_STAGE_USERS allows at most 100000');
    expect(process.memoryUsage().rss - rss).toBeLessThan(64 * 1024 * 1024);
    const gradient = await createCase({
      name: 'steps',
      contents: [get('http://127.0.0.1:1/')],
      stages: [users(10), { pressure_mode: 2, operate_mode: 0, time: 60, issue_num: 2_000_000, start_time: 0, end_time: 60 }],
    });
    expectErrorShape(gradient, 400);
    expect(gradient.body.error_msg).toMatch(/^the users of stages\[1\] of case "steps" is \d+: the limit PERFTEST_MAX_STAGE_USERS allows at most 100000$/);
  });

  it('saves a case of exactly the default card limit and refuses one card more', async () => {
    const cards = Array.from({ length: DEFAULT_LIMITS.cardsPerCase }, (_, i) => get(`http://127.0.0.1:1/${i}`));
    expect((await createCase({ name: 'ten thousand', contents: cards })).status).toBe(201);
    const over = await createCase({ name: 'one more', contents: [...cards.slice(1), loop([get('http://127.0.0.1:1/a'), get('http://127.0.0.1:1/b')])] });
    expectLimit(over, 'the number of cards of case "one more" is 10002: the limit PERFTEST_MAX_CARDS allows at most 10000');
  });

  it('refuses nesting, packets, bodies, stages and durations on save, of cases, transactions and variables', async () => {
    const deep = await createCase({ name: 'deep', contents: [loop([loop([loop([get('http://x/')])])])] });
    expectLimit(deep, 'the controller nesting of case "deep" (at contents[0].data.contents[0].data.contents[0]) is 3: the limit PERFTEST_MAX_NESTING allows at most 2');
    const body = await createCase({ name: 'body', contents: [get('http://x/'), get('http://x/', { method: 'POST', body: 'b'.repeat(1025) })] });
    expectLimit(body, 'the size in bytes of the body contents[1].content[0].content of case "body" is 1025: the limit PERFTEST_MAX_BODY_BYTES allows at most 1024');
    const packet = await createCase({ name: 'packet', contents: [get('http://x/', { headers: [{ key: 'X', value: 'h'.repeat(5000) }] })] });
    expectErrorShape(packet, 400);
    expect(packet.body.error_msg).toMatch(/^the size in bytes of the packet contents\[0\]\.content\[0\] of case "packet" is 5\d{3}: the limit PERFTEST_MAX_PACKET_BYTES allows at most 4096$/);
    const stages = await createCase({ name: 'stages', contents: [get('http://x/')], stages: [users(1), users(1), users(1), users(1)] });
    expectLimit(stages, 'the number of stages of case "stages" is 4: the limit PERFTEST_MAX_STAGES allows at most 3');
    const long = await createCase({ name: 'long', contents: [get('http://x/')], stages: [users(1, 3000), users(1, 601)] });
    expectLimit(long, 'the duration in seconds of case "long" is 3601: the limit PERFTEST_MAX_RUN_SECONDS allows at most 3600');

    // a modification is checked on the merged case, and leaves the stored one as it was
    const id = (await createCase({ name: 'fine', contents: [get('http://x/')], stages: [users(5)] })).body.json.task_case_id;
    const modified = await server.client.put(`/v1/${P}/task-cases/${id}/target/stage`, { stages: [users(100_001)] });
    expectLimit(modified, 'the users of stages[0] of case "fine" is 100001: the limit PERFTEST_MAX_STAGE_USERS allows at most 100000');
    const [stored] = await server.db.query<{ doc: { stages: Array<{ issue_num: number }> } }>('select doc from cases where id = $1', [id]);
    expect(stored.doc.stages[0].issue_num).toBe(5);

    const transaction = await server.client.post(`/v1/${P}/templates`, {
      project_id: suite,
      temp_type: 0,
      name: 'heavy',
      contents: [get('http://x/', { method: 'POST', body: 'b'.repeat(2000) })],
    });
    expectLimit(transaction, 'the size in bytes of the body contents[0].content[0].content of transaction "heavy" is 2000: the limit PERFTEST_MAX_BODY_BYTES allows at most 1024');
    const variable = await server.client.post(`/v1/${P}/variables/${suite}`, [{ name: 'big', variable_type: 2, variable: ['v'.repeat(3000)] }]);
    expectLimit(variable, 'the size in bytes of variable "big" is 3004: the limit PERFTEST_MAX_VARIABLE_BYTES allows at most 2048');
  });

  it('checks every start with the whole run, and records nothing when it refuses', async () => {
    const start = (taskId: number) => server.client.post(`/v1/${P}/test-suites/${suite}/tasks/${taskId}`, { status: 9 });
    const newTask = async (parallel: boolean, cases: object[]) => {
      const id = (await server.client.post(`/v1/${P}/tasks`, { name: `t${parallel}`, project_id: suite, parallel })).body.task_id;
      for (const c of cases) expect((await createCase(c, id)).status).toBe(201);
      return id;
    };
    const before = await runs();
    const half = { name: 'sixty thousand', contents: [get('http://127.0.0.1:1/')], stages: [users(60_000)] };
    const parallel = await newTask(true, [half, { ...half, name: 'sixty thousand more' }]);
    const refused = await start(parallel);
    expectLimit(refused, `the users of the run of task ${parallel} (its cases in parallel) is 120000: the limit PERFTEST_MAX_RUN_USERS allows at most 100000`);
    const half2 = { name: 'forty minutes', contents: [get('http://127.0.0.1:1/')], stages: [users(1, 2400)] };
    const serial = await newTask(false, [half2, { ...half2, name: 'forty more' }]);
    expectLimit(await start(serial), `the duration in seconds of the run of task ${serial} (its cases one after the other) is 4800: the limit PERFTEST_MAX_RUN_SECONDS allows at most 3600`);
    const metadata = await newTask(false, [{ name: 'metadata', contents: [get('http://169.254.169.254/latest/meta-data/'), get('http://0x7f000001:1/')], stages: [users(1, 5)] }]);
    const denied = await start(metadata);
    expectErrorShape(denied, 400);
    expect(denied.body.error_code).toBe('CPTS.00000422');
    expect(denied.body.error_msg).toBe(
      'the case cannot run: every request of the run goes to a target the policy denies: ' +
        'GET http://169.254.169.254/latest/meta-data/: target denied by policy: 169.254.169.254:80 matches 169.254.0.0/16 (link-local and cloud metadata, denied by default); ' +
        'GET http://0x7f000001:1/: target denied by policy: 127.0.0.1:1 matches 127.0.0.0/8:1 (PERFTEST_TARGET_DENY)',
    );
    expect(await runs()).toBe(before);
  });
});
