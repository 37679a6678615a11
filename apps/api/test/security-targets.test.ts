/**
 * The target policy end to end (docs/security.md, "Target policy"): a debug run whose cards aim, in
 * every notation, at a port denied by PERFTEST_TARGET_DENY, at the server's own port, at cloud
 * metadata, through host names (one resolving to a denied address through the test's resolver) and
 * through redirects of an allowed target, on every protocol; each such request fails readably and
 * the denied listener sees no connection and no datagram, while loopback targets on other ports
 * keep working. Then a run on two engine threads (the policy crosses to them as data): the denied
 * card fails every time, the allowed one counts what its target answered.
 */
import dgram from 'node:dgram';
import dns from 'node:dns';
import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, startTestServer, type TestServer } from './helpers.js';
import { createTask, PROJECT, startTask, waitForRunStatus } from './runs-fixtures.js';

let allowed: http.Server;
let allowedBase = '';
let apiBase = '';
const allowedHits: Record<string, number> = {};
let denied: net.Server;
let deniedUdp: dgram.Socket;
let deniedPort = 0;
let deniedConnections = 0;
let deniedDatagrams = 0;

/** The test's resolver: two names of its own, the system's for the rest. */
const resolver = async (name: string, options: { family?: number }) => {
  if (name === 'rebind.test') return [{ address: '127.0.0.1', family: 4 }];
  if (name === 'meta.test') return [{ address: '169.254.169.254', family: 4 }];
  return dns.promises.lookup(name, { all: true, family: options.family ?? 0 });
};

beforeAll(async () => {
  allowed = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    allowedHits[path] = (allowedHits[path] ?? 0) + 1;
    const redirects: Record<string, string> = {
      '/to-self': `${apiBase}/health`,
      '/to-denied': `http://0x7f000001:${deniedPort}/`,
      '/to-meta': 'http://169.254.169.254/latest/meta-data/',
    };
    if (redirects[path] !== undefined) res.writeHead(302, { location: redirects[path] }).end();
    else res.end('ok');
  });
  await new Promise<void>((resolve) => allowed.listen(0, '127.0.0.1', resolve));
  allowedBase = `http://127.0.0.1:${(allowed.address() as net.AddressInfo).port}`;
  denied = net.createServer((socket) => {
    deniedConnections++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => denied.listen(0, '127.0.0.1', resolve));
  deniedPort = (denied.address() as net.AddressInfo).port;
  deniedUdp = dgram.createSocket('udp4').on('message', () => deniedDatagrams++);
  await new Promise<void>((resolve) => deniedUdp.bind(deniedPort, '127.0.0.1', resolve));
});

afterAll(async () => {
  allowed.closeAllConnections();
  await new Promise((resolve) => allowed.close(resolve));
  await new Promise((resolve) => denied.close(resolve));
  deniedUdp.close();
});

const packet = (content: object) => ({ content_type: 2, content: { protocol_type: 1, method: 'GET', ...content } });
const card = (...content: object[]) => ({ data_type: 0, content });

describe.each(backends())('target policy on %s', (backend) => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer(backend, { runs: { workers: 2 }, targetDeny: [`127.0.0.0/8:${deniedPort}`, `[::1]:${deniedPort}`], targetResolver: resolver });
    apiBase = server.baseUrl;
  });
  afterAll(() => server?.close());

  it('fails every denied request readably in a debug run, on every protocol and notation, and connects to none', async () => {
    const before = { ...allowedHits };
    const [connectionsBefore, datagramsBefore] = [deniedConnections, deniedDatagrams];
    const apiPort = new URL(apiBase).port;
    const d = deniedPort;
    const deniedHttp = [
      `http://127.0.0.1:${d}/`,
      `http://127.1:${d}/`,
      `http://2130706433:${d}/`,
      `http://0x7f000001:${d}/`,
      `http://0177.0.0.1:${d}/`,
      `http://[::ffff:127.0.0.1]:${d}/`,
      `http://0.0.0.0:${d}/`,
      `http://localhost:${d}/`,
      `http://rebind.test:${d}/`,
      `${apiBase}/health`,
      `http://localhost:${apiPort}/health`,
      `http://0.0.0.0:${apiPort}/health`,
      'http://169.254.169.254/latest/meta-data/',
      'http://meta.test/latest/meta-data/',
      'http://[fd00:ec2::254]/',
      `${allowedBase}/to-self`,
      `${allowedBase}/to-denied`,
      `${allowedBase}/to-meta`,
    ];
    const others = [
      packet({ protocol_type: 2, name: 'https', url: `https://127.1:${d}/` }),
      packet({ protocol_type: 3, name: 'tcp literal', method: 'SEND', url: `tcp://127.1:${d}`, body: 'x' }),
      packet({ protocol_type: 3, name: 'tcp name', method: 'SEND', url: `tcp://rebind.test:${d}`, body: 'x' }),
      packet({ protocol_type: 4, name: 'udp literal', method: 'SEND', url: `udp://2130706433:${d}`, body: 'x' }),
      packet({ protocol_type: 4, name: 'udp name', method: 'SEND', url: `udp://rebind.test:${d}`, body: 'x' }),
      packet({ protocol_type: 9, name: 'ws literal', method: 'CONNECT', url: `ws://0.0.0.0:${d}/` }),
      packet({ protocol_type: 9, name: 'ws name', method: 'CONNECT', url: `ws://rebind.test:${d}/` }),
      packet({ protocol_type: 11, name: 'mqtt', method: 'CONNECT', url: `mqtt://0x7f000001:${d}` }),
      packet({ protocol_type: 11, name: 'mqtts', method: 'CONNECT', url: `mqtts://[::ffff:127.0.0.1]:${d}` }),
      packet({ protocol_type: 11, name: 'mqtt over ws', method: 'CONNECT', url: `ws://localhost:${d}/mqtt` }),
      packet({ protocol_type: 7, name: 'hls', url: `http://127.1:${d}/index.m3u8`, duration: 60 }),
      packet({ protocol_type: 10, name: 'flv', flv_url: `http://rebind.test:${d}/live.flv`, duration: 60 }),
      packet({ protocol_type: 7, name: 'rtmp', rtmp_url: `rtmp://0x7f000001:${d}/live/stream`, duration: 60 }),
    ];
    const suite = (await server.client.post(`/v1/${PROJECT}/test-suites`, { name: 'policy' })).body.project_id;
    const created = await server.client.post(`/v1/${PROJECT}/task-cases`, {
      name: 'ssrf matrix',
      type: 0,
      task_id: (await server.client.post(`/v1/${PROJECT}/tasks`, { name: 'policy', project_id: suite })).body.task_id,
      contents: [
        card(packet({ name: 'allowed', url: `${allowedBase}/ok` })),
        ...deniedHttp.map((url, i) => card(packet({ name: `http ${i}`, url }))),
        ...others.map((p) => card(p)),
      ],
    });
    expect(created.status, created.text).toBe(201);
    const res = await server.client.post(`/v1/${PROJECT}/test-suites/${suite}/tasks/0/cases/${created.body.json.task_case_id}/debug`, { status: 9, type: 1 });
    expect(res.status, res.text).toBe(200);
    const results = res.body.result as Array<{ name: string; url: string; result: number; errorReason: string }>;
    expect(results).toHaveLength(1 + deniedHttp.length + others.length);
    expect(results[0]).toMatchObject({ name: 'allowed', result: 1, errorReason: '' });
    for (const r of results.slice(1)) {
      expect(r.result, `${r.name} ${r.url}: ${r.errorReason}`).not.toBe(1);
      expect(r.errorReason, `${r.name} ${r.url}`).toMatch(/target denied by policy: /);
    }
    const reason = (name: string) => results.find((r) => r.name === name)?.errorReason;
    expect(reason('http 1')).toBe(`target denied by policy: 127.0.0.1:${d} matches 127.0.0.0/8:${d} (PERFTEST_TARGET_DENY)`);
    expect(reason('http 8')).toBe(`target denied by policy: 127.0.0.1:${d} (rebind.test) matches 127.0.0.0/8:${d} (PERFTEST_TARGET_DENY)`);
    expect(reason('http 10')).toMatch(new RegExp(`^target denied by policy: (127\\.0\\.0\\.1|\\[::1\\]):${apiPort} \\(localhost\\) is the server's own listen address`));
    expect(reason('http 13')).toBe('target denied by policy: 169.254.169.254:80 (meta.test) matches 169.254.0.0/16 (link-local and cloud metadata, denied by default)');
    expect(results.find((r) => r.name === 'http 16')?.url).toBe(`GET http://127.0.0.1:${d}/`); // the hop the redirect led to
    expect([deniedConnections - connectionsBefore, deniedDatagrams - datagramsBefore]).toEqual([0, 0]);
    const hit = (path: string) => (allowedHits[path] ?? 0) - (before[path] ?? 0);
    expect([hit('/ok'), hit('/to-self'), hit('/to-denied'), hit('/to-meta')]).toEqual([1, 1, 1, 1]);
  });

  it('applies the policy in runs on engine threads: denied requests fail, allowed ones reach their target', async () => {
    const before = allowedHits['/ok'] ?? 0;
    const kase = {
      name: 'policy run',
      contents: [
        card(packet({ name: 'denied by name', url: `http://localhost:${deniedPort}/` }), { content_type: 1, content: { think_time: 100 } }),
        card(packet({ protocol_type: 3, name: 'denied tcp', method: 'SEND', url: `tcp://127.1:${deniedPort}`, body: 'x' })),
        card(packet({ name: 'allowed', url: `${allowedBase}/ok` })),
      ],
      stages: [{ name: 's', pressure_mode: 0, operate_mode: 0, time: 2, issue_num: 2 }],
    };
    const { suiteId, taskId } = await createTask(server.client, [kase as never], false);
    const taskRunId = await startTask(server.client, suiteId, taskId);
    expect((await waitForRunStatus(server.client, taskId, [2, 3, 4], 30_000)).status).toBe(2);
    const [caseRun] = await server.db.query<{ id: number }>('select id from case_runs where task_run_id = $1', [taskRunId]);
    const report = await server.client.get(`/v1/${PROJECT}/task-run-infos/${taskRunId}/case-run-infos/${caseRun.id}/reports`);
    expect(report.status, report.text).toBe(200);
    const rows = report.body.result.details.data[0].detailDatas as Array<{
      name: string;
      successCount: number;
      errorCount: number;
      failedOthers: number;
      failedReason: string | null;
    }>;
    const row = (name: string) => rows.find((r) => r.name === name) as (typeof rows)[number];
    const allowedRow = row('allowed');
    expect(allowedRow.successCount).toBeGreaterThan(0);
    expect(allowedRow.errorCount).toBe(0);
    expect(allowedRow.successCount).toBe((allowedHits['/ok'] ?? 0) - before);
    expect(allowedRow.failedReason).toBeNull();
    // Every pass goes through the three cards in order, except those the plan's end cut short, which
    // sent only their first cards (docs/run-lifecycle.md#stop): at most one pass per user (2).
    for (const name of ['denied by name', 'denied tcp']) expect(row(name).successCount, name).toBe(0);
    const [byName, tcp] = [row('denied by name').failedOthers, row('denied tcp').failedOthers];
    expect(byName).toBeGreaterThanOrEqual(tcp);
    expect(tcp).toBeGreaterThanOrEqual(allowedRow.successCount);
    expect(byName - allowedRow.successCount).toBeLessThanOrEqual(2);
    // the report says why: the reason of a failed request of each card
    expect(row('denied by name').failedReason).toMatch(new RegExp(`^target denied by policy: (127\\.0\\.0\\.1|\\[::1\\]):${deniedPort} \\(localhost\\) matches `));
    expect(row('denied tcp').failedReason).toBe(`target denied by policy: 127.0.0.1:${deniedPort} matches 127.0.0.0/8:${deniedPort} (PERFTEST_TARGET_DENY)`);
    expect(deniedConnections).toBe(0);
    expect(deniedDatagrams).toBe(0);
  });
});
