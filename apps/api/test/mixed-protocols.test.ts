/**
 * Issue 5's acceptance: one case mixing HTTP (HTTP/1.1 and HTTP/2), TCP, UDP, WebSocket and MQTT cards runs through the
 * API (PGlite, the embedded worker) and through the CLI against real servers on 127.0.0.1 that count
 * what they receive, and the recorded requests reconcile exactly with every server's count: per card
 * in the report (HTTP requests, TCP messages, UDP datagrams, WebSocket upgrades and frames, MQTT
 * CONNECTs and publishes), the case total with their sum, and no errors.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunStatus, type CaseInfoDetail, type Contents } from '@perftest/model';
import { startTestServer, type TestServer } from './helpers.js';
import { startMixedServers, type MixedCounts, type MixedServers } from './mixed-servers.js';
import { createTask, PROJECT, startTask, taskInfo, usersStage, waitForRunStatus } from './runs-fixtures.js';

const root = path.resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');
const tsxCli = createRequire(import.meta.url).resolve('tsx/cli');

const headers = (h: Record<string, string>) => Object.entries(h).map(([key, value]) => ({ key, value }));
const contains = (value: string) => ({ content_type: 3, content: { checks: [{ source: 'body', operator: 'contains', value }] } });

/** A request card: one packet, then any checkpoint or think time. */
function card(packet: Record<string, unknown>, ...extra: object[]): Contents {
  return { content_id: 0, data_type: 0, content: [{ content_type: 2, content: packet }, ...extra] } as Contents;
}

/** The servers' counts with their sum. */
type Counted = MixedCounts & { total: number };

/** Each card's name with the server count its requests must equal. */
const CARD_COUNTS: ReadonlyArray<[string, keyof MixedCounts]> = [
  ['http-get', 'http'],
  ['http2-get', 'http2'],
  ['tcp-send', 'tcp'],
  ['udp-send', 'udp'],
  ['ws-connect', 'wsUpgrades'],
  ['ws-write-read', 'wsFrames'],
  ['mqtt-connect', 'mqttConnects'],
  ['mqtt-publish', 'mqttPublishes'],
];

/**
 * Every pass goes through every card in order, except those the plan's end cut short, which sent
 * only their first cards (docs/run-lifecycle.md#stop): at most one pass per user (2).
 */
function passesCutAtMostOnePerUser(seen: MixedCounts): void {
  const counts = CARD_COUNTS.map(([, counter]) => seen[counter]);
  for (let i = 1; i < counts.length; i++) expect(counts[i], CARD_COUNTS[i][1]).toBeLessThanOrEqual(counts[i - 1]);
  expect(counts[0] - (counts.at(-1) as number)).toBeLessThanOrEqual(2);
}

/** The mixed case: 2 users for 3 s, every card checked on what its server answered. */
function mixedCase(s: MixedServers): CaseInfoDetail {
  return {
    name: 'mixed-protocols',
    contents: [
      card({ protocol_type: 1, name: 'http-get', method: 'GET', url: `${s.httpUrl}/hello` }, contains('"ok"'), { content_type: 1, content: { think_time: 20 } }),
      card({ protocol_type: 1, name: 'http2-get', method: 'GET', url: `${s.http2Url}/two`, http_version: 'HTTP/2' }, contains('"h2"')),
      card({ protocol_type: 3, name: 'tcp-send', method: 'SEND', url: s.tcpUrl, body: 'ping\n', check_end_type: 2, check_end_str: '\n' }, contains('tcp got ping')),
      card({ protocol_type: 4, name: 'udp-send', method: 'SEND', url: s.udpUrl, body: 'udp ping' }, contains('UDP PING')),
      card({ protocol_type: 9, name: 'ws-connect', method: 'CONNECT', url: s.wsUrl }),
      card({ protocol_type: 9, name: 'ws-write-read', method: 'WRITE_READ', url: s.wsUrl, body: 'hi' }, contains('ws echo hi')),
      card({ protocol_type: 11, name: 'mqtt-connect', method: 'CONNECT', url: s.mqttUrl }),
      card({ protocol_type: 11, name: 'mqtt-publish', method: 'PUBLISH', url: s.mqttUrl, headers: headers({ topic: 'mixed/t', qos: '1' }), body: 'payload' }),
    ],
    stages: [usersStage(2, 3)],
  } as CaseInfoDetail;
}

/** Waits until the counts stop changing for half a second (the broker counts after it answers). */
async function settledCounts(s: MixedServers): Promise<Counted> {
  let last = JSON.stringify(s.snapshot());
  let since = Date.now();
  for (let i = 0; i < 100 && Date.now() - since < 500; i++) {
    await new Promise((r) => setTimeout(r, 50));
    const now = JSON.stringify(s.snapshot());
    if (now !== last) [last, since] = [now, Date.now()];
  }
  return JSON.parse(last);
}

/** What the servers received between two snapshots. */
function minus(after: Counted, before: Counted): Counted {
  const out = { ...after };
  for (const key of Object.keys(out) as Array<keyof Counted>) out[key] -= before[key];
  return out;
}

function perftest(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [tsxCli, path.join(root, 'apps/api/src/cli/perftest.ts'), ...args], { cwd: tmpdir(), timeout: 30_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('a case mixing HTTP, TCP, UDP, WebSocket and MQTT cards', () => {
  let server: TestServer;
  let servers: MixedServers;
  let dir: string;

  beforeAll(async () => {
    server = await startTestServer('pglite', { runs: { workers: 1 } });
    servers = await startMixedServers();
    dir = await mkdtemp(path.join(tmpdir(), 'perftest-mixed-'));
  });
  afterAll(async () => {
    await server?.close();
    await servers?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('runs through the API and its report reconciles card by card with every server', async () => {
    const { client } = server;
    const { suiteId, taskId } = await createTask(client, [mixedCase(servers)], false);
    const before = servers.snapshot();
    const taskRunId = await startTask(client, suiteId, taskId);
    expect((await waitForRunStatus(client, taskId, [2, 3, 4], 20_000)).status).toBe(RunStatus.Finished);
    const seen = minus(await settledCounts(servers), before);

    const [caseRun] = (await taskInfo(client, taskId)).related_temp_running_data;
    const res = await client.get(`/v1/${PROJECT}/task-run-infos/${taskRunId}/case-run-infos/${caseRun.related_temp_running_id}/reports`);
    expect(res.status, res.text).toBe(200);
    const { performance, detailDatas } = res.body.result.details.data[0];
    const byName = new Map<string, any>(detailDatas.map((row: any) => [row.name, row]));
    expect([...byName.keys()].sort()).toEqual(CARD_COUNTS.map(([name]) => name).sort());

    const recorded = Object.fromEntries(CARD_COUNTS.map(([name, counter]) => [counter, byName.get(name).requests]));
    const expected = Object.fromEntries(CARD_COUNTS.map(([, counter]) => [counter, seen[counter]]));
    expect(recorded).toEqual(expected);
    // 2 users for 3 s with a 20 ms think time: dozens of iterations, each through every card.
    expect(seen.http).toBeGreaterThan(10);
    passesCutAtMostOnePerUser(seen);
    for (const row of detailDatas) {
      expect({ name: row.name, errors: row.errorCount, success: row.successCount }).toEqual({ name: row.name, errors: 0, success: row.requests });
      // Every card put bytes on the wire and got some back (handshakes included).
      expect(row.avgSentBytes, row.name).toBeGreaterThan(0);
      expect(row.avgRecBytes, row.name).toBeGreaterThan(0);
    }
    expect(byName.get('mqtt-publish')).toMatchObject({ method: 'PUBLISH', url: servers.mqttUrl });
    expect(byName.get('ws-write-read')).toMatchObject({ method: 'WRITE_READ', url: servers.wsUrl });
    expect(byName.get('udp-send')).toMatchObject({ method: 'SEND', url: servers.udpUrl });
    expect(performance.requests).toBe(seen.total);
    expect(performance.errorCount).toBe(0);
    expect(performance.successCount).toBe(seen.total);
    console.info(`API run: ${JSON.stringify(seen)}`);
  }, 30_000);

  it('runs from the CLI (perftest run FILE --json) and its request count is the servers’ sum', async () => {
    const file = path.join(dir, 'mixed.json');
    await writeFile(file, JSON.stringify({ ...mixedCase(servers), variables: [], transactions: [] }));
    const before = servers.snapshot();
    const { code, stdout, stderr } = await perftest(['run', file, '--json']);
    expect(code, stderr).toBe(0);
    const result = JSON.parse(stdout.trim().split('\n').at(-1) as string);
    const seen = minus(await settledCounts(servers), before);
    expect(seen.http).toBeGreaterThan(10);
    passesCutAtMostOnePerUser(seen);
    expect(result.requests).toBe(seen.total);
    expect(result.errorCount).toBe(0);
    console.info(`CLI run: ${JSON.stringify(seen)} requests ${result.requests}`);
  }, 30_000);
});
