/**
 * Virtual users end to end against a real server: exact request counts, extraction feeding later
 * requests, checkpoint retries, pre-steps, think-time pacing, start delay and prompt stops.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalCoordination } from '../src/coordination/local.js';
import {
  caseOf,
  card,
  checkpoint,
  compileOrThrow,
  extraction,
  MemoryRecorder,
  packet,
  runUsers,
  session,
  startServer,
  type TestServer,
} from './vu-helpers.js';

describe('virtual users', () => {
  let server: TestServer;
  const hits: string[] = [];
  let flaky = 0;
  beforeAll(async () => {
    server = await startServer((req, res) => {
      const url = req.url ?? '/';
      hits.push(url);
      if (url.startsWith('/login')) {
        res.setHeader('x-session', 'S9');
        res.setHeader('content-type', 'application/json');
        return res.end(JSON.stringify({ data: { token: 'T123', items: [{ id: 7 }, { id: 8 }] }, note: 'order=ORD-55 order=ORD-66' }));
      }
      if (url.startsWith('/flaky')) {
        flaky++;
        res.statusCode = flaky % 3 === 0 ? 200 : 500;
        return res.end(`attempt ${flaky}`);
      }
      if (url.startsWith('/slow')) {
        setTimeout(() => res.end('late'), 3000).unref();
        return;
      }
      res.end('ok');
    });
  });
  afterAll(() => server.close());

  it('records exactly users x iterations x cards requests, all received by the server', async () => {
    const before = hits.length;
    const compiled = compileOrThrow({
      case: caseOf([
        card(packet({ url: `${server.url}/a` })),
        card(packet({ url: `${server.url}/b` }), packet({ url: `${server.url}/c`, method: 'POST', body: 'x' })),
      ]),
    });
    expect(compiled.cards.map((c) => c.key)).toEqual(['contents[0].content[0]', 'contents[1].content[0]', 'contents[1].content[1]']);
    const { recorder } = await runUsers(compiled, 6, 7);
    await compiled.close();
    expect(recorder.requests).toHaveLength(6 * 7 * 3);
    expect(hits.length - before).toBe(6 * 7 * 3);
    expect(recorder.iterations).toHaveLength(6 * 7);
    const perKey = new Map<string, number>();
    for (const r of recorder.requests) perKey.set(r.key, (perKey.get(r.key) ?? 0) + 1);
    expect([...perKey.values()]).toEqual([42, 42, 42]);
    for (const it of recorder.iterations) expect(it.ok).toBe(true);
  });

  it('sums request RTs into the iteration and adds the start delay to the first request', async () => {
    const compiled = compileOrThrow({
      case: caseOf([card(packet({ url: `${server.url}/a` })), card(packet({ url: `${server.url}/b` }))]),
    });
    const recorder = new MemoryRecorder();
    const vu = compiled.createUser({ session: session(0), recorder, coordination: new LocalCoordination() });
    await vu.iterate(5_000_000);
    await vu.close();
    await compiled.close();
    const [first, second] = recorder.requests.map((r) => r.result);
    expect(first.responseTimeUs).toBeGreaterThan(5_000_000);
    expect(second.responseTimeUs).toBeLessThan(5_000_000);
    expect(recorder.iterations[0].responseTimeUs).toBe(first.responseTimeUs + second.responseTimeUs);
  });

  it('feeds json, regex, header and url extractions into later requests', async () => {
    const before = hits.length;
    const compiled = compileOrThrow({
      case: caseOf([
        card(
          packet({ url: `${server.url}/login` }),
          extraction(
            { name: 'token', source: 'json', expression: 'data.token' },
            { name: 'second', source: 'json', expression: 'data.items.1.id' },
            { name: 'count', source: 'json', expression: 'data.items.#' },
            { name: 'items', source: 'json', expression: 'data.items' },
            { name: 'order', source: 'body', expression: 'order=(ORD-\\d+)', match_no: 2, group_index: 1 },
            { name: 'session', source: 'header', expression: 'X-Session' },
            { name: 'sessionRe', source: 'header', expression: 'X-SESSION: (\\w+)' },
            { name: 'path', source: 'url', expression: '/(\\w+)$' },
            { name: 'missing', source: 'json', expression: 'data.nothing', default_value: 'fallback' },
          ),
        ),
        card(packet({ url: `${server.url}/use?t=\${token}&s=\${second}&n=\${count}&o=\${order}&h=\${session}&r=\${sessionRe}&p=\${path}&m=\${missing}&i=\${items}` })),
      ]),
    });
    await runUsers(compiled, 1, 1);
    await compiled.close();
    const used = new URL(hits.slice(before).find((h) => h.startsWith('/use')) ?? '', 'http://h').searchParams;
    expect(Object.fromEntries(used)).toEqual({
      t: 'T123',
      s: '8',
      n: '2',
      o: 'ORD-66',
      h: 'S9',
      r: 'S9',
      p: 'login',
      m: 'fallback',
      i: '[{"id":7},{"id":8}]',
    });
  });

  it('fails a request whose extracted value differs from the expected value', async () => {
    const compiled = compileOrThrow({
      case: caseOf([
        card(packet({ url: `${server.url}/login` }), extraction({ name: 'token', source: 'json', expression: 'data.token', expected_value: 'OTHER' })),
        card(packet({ url: `${server.url}/login` }), extraction({ name: 'token', source: 'json', expression: 'data.token', expected_value: 'T123' })),
      ]),
    });
    const { recorder } = await runUsers(compiled, 1, 1);
    await compiled.close();
    expect(recorder.requests.map((r) => r.result.outcome)).toEqual(['checkPointFailed', 'success']);
    expect(recorder.requests[0].result.error).toContain('OTHER');
    expect(recorder.iterations[0]).toMatchObject({ ok: false, outcome: 'checkPointFailed' });
  });

  it('retries a failing checkpoint and records only the last attempt', async () => {
    flaky = 0;
    const debug: string[] = [];
    const recorder = new MemoryRecorder();
    const compiled = compileOrThrow({
      case: caseOf([
        card(packet({ url: `${server.url}/flaky` }), checkpoint([{ source: 'status', operator: '=', value: '200' }], { retry_times: 5, retry_interval: 20 })),
      ]),
    });
    const vu = compiled.createUser({
      session: session(0),
      recorder,
      coordination: new LocalCoordination(),
      onDebug: (_key, result) => debug.push(`${result.status} ${result.body?.toString()}`),
    });
    await vu.iterate();
    await vu.close();
    await compiled.close();
    expect(flaky).toBe(3);
    expect(debug).toEqual(['500 attempt 1', '500 attempt 2', '200 attempt 3']);
    expect(recorder.requests).toHaveLength(1);
    expect(recorder.requests[0].result).toMatchObject({ outcome: 'success', status: 200 });
  });

  it('runs pre-steps once per user, unrecorded, and their extractions serve every iteration', async () => {
    const before = hits.length;
    const compiled = compileOrThrow({
      case: caseOf(
        [card(packet({ url: `${server.url}/work?t=\${token}` }))],
        [card(packet({ url: `${server.url}/login?setup` }), extraction({ name: 'token', source: 'json', expression: 'data.token' }))],
      ),
    });
    expect(compiled.setupCards?.map((c) => c.key)).toEqual(['setup_contents[0].content[0]']);
    const { recorder } = await runUsers(compiled, 2, 3);
    await compiled.close();
    const got = hits.slice(before);
    expect(got.filter((h) => h === '/login?setup')).toHaveLength(2);
    expect(got.filter((h) => h === '/work?t=T123')).toHaveLength(6);
    expect(recorder.requests).toHaveLength(6);
  });

  it('paces think time from the start of the previous request', async () => {
    const compiled = compileOrThrow({
      case: caseOf([
        card(
          packet({ url: `${server.url}/a` }),
          { content_type: 1, content: { think_time: 150 } },
          packet({ url: `${server.url}/b` }),
          { content_type: 1, content: { t: 50 } },
        ),
      ]),
    });
    const started = performance.now();
    const { recorder } = await runUsers(compiled, 1, 2);
    const elapsed = performance.now() - started;
    await compiled.close();
    expect(recorder.requests).toHaveLength(4);
    expect(elapsed).toBeGreaterThanOrEqual(2 * 200 - 5);
    // think time is not part of any response time
    for (const r of recorder.requests) expect(r.result.responseTimeUs).toBeLessThan(150_000);
  });

  it('stops promptly on abort without recording the interrupted request or iteration', async () => {
    const controller = new AbortController();
    const recorder = new MemoryRecorder();
    const compiled = compileOrThrow({
      case: caseOf([card(packet({ url: `${server.url}/a` })), card(packet({ url: `${server.url}/slow`, return_timeout: 10000 }))]),
    });
    const vu = compiled.createUser({ session: session(0, controller.signal), recorder, coordination: new LocalCoordination() });
    const started = performance.now();
    const pass = vu.iterate();
    setTimeout(() => controller.abort(), 200);
    await pass;
    expect(performance.now() - started).toBeLessThan(1500);
    expect(recorder.requests.map((r) => r.key)).toEqual(['contents[0].content[0]']);
    expect(recorder.iterations).toHaveLength(0);
    await vu.close();
    await compiled.close();
  });
});
