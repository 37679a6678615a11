/**
 * The live stream's limits (docs/live.md, "Connecting and resuming"), on a task run recorded with SQL
 * as the runner records it: 6 running case runs with 3,000 seconds of stored intervals each, whose
 * replay is some megabytes of events. A viewer that never reads holds the server to its socket
 * buffers: what the server keeps queued in the process for it stays under one replay chunk and stops
 * growing, far below the replay; once it has not drained for the stall time (LIVE_STALL_MS, cut to
 * 1.5 s here) it is disconnected and its stream no longer counts. Closing the server ends the
 * streams still open, promptly. On PGlite and, with DATABASE_URL, Postgres.
 */
import net from 'node:net';
import { request as undiciRequest } from 'undici';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { liveStats } from '../src/live/task-run-feed.js';
import { backends, startTestServer, TEST_PASSWORD, type TestServer } from './helpers.js';
import { createTask, PROJECT } from './runs-fixtures.js';

vi.mock('../src/live/timing.js', async (original) => ({ ...(await original<typeof import('../src/live/timing.js')>()), LIVE_STALL_MS: 1500 }));

const CASE_RUNS = Number(process.env.LIVE_CR ?? 6);
const SECONDS = Number(process.env.LIVE_S ?? 3000);
/** Most text the feed writes to a viewer in one go (task-run-feed.ts REPLAY_CHUNK), plus a stream's high-water mark. */
const QUEUE_BOUND = 256 * 1024 + 64 * 1024;

const EMPTY_STATS = {
  requests: 0,
  outcomes: { success: 0, checkPointFailed: 0, parsedFailed: 0, refusedFailed: 0, timeout: 0, othersFailed: 0 },
  statusClasses: [0, 0, 0, 0, 0],
  sentBytes: 0,
  recBytes: 0,
  rtSumUs: 0,
  rtMinUs: 0,
  rtMaxUs: 0,
  histogram: '',
};

const waitFor = async (what: string, ok: () => boolean, timeoutMs: number): Promise<void> => {
  const until = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
};

describe.each(backends())('live stream limits on %s', (backend) => {
  let server: TestServer;
  let token: string;
  let taskRunId: number;
  /** The server side of every connection, in order of arrival. */
  const sockets: net.Socket[] = [];

  beforeAll(async () => {
    server = await startTestServer(backend);
    server.app.server.on('connection', (socket: net.Socket) => sockets.push(socket));
    const auth = { identity: { methods: ['password'], password: { user: { name: 'admin', password: TEST_PASSWORD, domain: { name: 'admin' } } } }, scope: { project: { id: PROJECT } } };
    token = (await server.client.post('/v3/auth/tokens', { auth }, { auth: { kind: 'none' } })).headers['x-subject-token'] as string;
    const { suiteId, taskId } = await createTask(server.client, [], false);
    const now = Math.floor(Date.now() / 1000);
    const [tr] = await server.db.query<{ id: number }>(
      `insert into task_runs(task_id, test_suite_id, name, parallel, status, started_at) values ($1, $2, 'live', true, 0, to_timestamp($3)) returning id`,
      [taskId, suiteId, now - SECONDS - 1],
    );
    taskRunId = tr.id;
    await server.db.query(
      `insert into case_runs(task_run_id, position, name, status, input, start_at)
       select $1, p, 'case ' || p, 0, '{}'::jsonb, to_timestamp($2) from generate_series(1, $3::int) p`,
      [taskRunId, now - SECONDS - 1, CASE_RUNS],
    );
    await server.db.query(
      `insert into intervals(case_run_id, share_index, worker_id, second, data)
       select cr.id, 0, 'worker-a', s, jsonb_build_object('type', 'interval', 'second', s, 'users', 1, 'started', 0, 'dropped', 0,
                'stage', 0, 'iterations', $2::jsonb, 'cards', '{}'::jsonb)
         from case_runs cr, generate_series($3::bigint, $4::bigint) s where cr.task_run_id = $1`,
      [taskRunId, JSON.stringify(EMPTY_STATS), now - SECONDS, now - 1],
    );
  }, 120_000);
  afterAll(async () => {
    await server?.close();
  });

  const url = () => `${server.baseUrl}/v1/${PROJECT}/task-run-infos/${taskRunId}/live`;

  it('holds a viewer that never reads to its socket buffers, then disconnects it', async () => {
    // A reader that reads: the replay's size.
    const controller = new AbortController();
    const res = await undiciRequest(url(), { headers: { 'X-Auth-Token': token }, signal: controller.signal });
    expect(res.statusCode).toBe(200);
    let replayBytes = 0;
    let events = 0;
    let buffer = '';
    try {
      for await (const chunk of res.body) {
        replayBytes += (chunk as Buffer).length;
        buffer += (chunk as Buffer).toString('utf8');
        const cut = buffer.lastIndexOf('\n\n');
        if (cut < 0) continue;
        events += buffer.slice(0, cut).split('event: interval\n').length - 1;
        buffer = buffer.slice(cut + 2);
        if (events >= CASE_RUNS * SECONDS) break;

      }
    } finally {
      controller.abort();
    }
    expect(events).toBe(CASE_RUNS * SECONDS);
    expect(replayBytes).toBeGreaterThan(6 * 1024 * 1024);
    await waitFor('the reader to leave', () => liveStats.streams === 0, 5_000);

    // A viewer that sends its request and never reads a byte.
    const before = sockets.length;
    const client = net.connect(Number(new URL(server.baseUrl).port), '127.0.0.1');
    client.pause();
    client.write(`GET /v1/${PROJECT}/task-run-infos/${taskRunId}/live HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Auth-Token: ${token}\r\nAccept: text/event-stream\r\n\r\n`);
    await waitFor('the server side of the viewer', () => sockets.length > before, 5_000);
    const socket = sockets[sockets.length - 1];
    let serverClosedAt = 0;
    socket.once('close', () => (serverClosedAt = Date.now()));
    await waitFor('the stream to count', () => liveStats.streams === 1, 5_000);

    // The server writes until the socket buffers are full, then waits: its queue stays bounded.
    let sent = -1;
    let queuedMax = 0;
    await waitFor(
      'the writes to stop',
      () => {
        queuedMax = Math.max(queuedMax, socket.writableLength);
        const now = socket.bytesWritten;
        const still = now === sent && socket.writableLength > 0;
        sent = now;
        return still;
      },
      10_000,
    );
    const blockedAt = Date.now();
    expect(socket.bytesWritten).toBeLessThan(replayBytes);
    for (let i = 0; i < 10 && serverClosedAt === 0; i++) {
      queuedMax = Math.max(queuedMax, socket.writableLength);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(queuedMax).toBeLessThanOrEqual(QUEUE_BOUND);

    // Not drained for the stall time: disconnected, and no longer counted.
    await waitFor('the stalled viewer to be disconnected', () => serverClosedAt > 0, 10_000);
    expect(serverClosedAt - blockedAt).toBeLessThan(1500 + 2_000);
    await waitFor('the stream to be released', () => liveStats.streams === 0, 5_000);
    client.destroy();
  }, 120_000);

  it('ends the open streams when the server closes', async () => {
    const readers = [0, 1].map(async () => {
      const res = await undiciRequest(url(), { headers: { 'X-Auth-Token': token } });
      expect(res.statusCode).toBe(200);
      let text = '';
      let error: unknown;
      try {
        for await (const chunk of res.body) text += (chunk as Buffer).toString('utf8');
      } catch (e) {
        error = e;
      }
      return { text, error };
    });
    await waitFor('both streams', () => liveStats.streams === 2, 10_000);
    const closing = Date.now();
    await server.app.close();
    const ended = await Promise.all(readers);
    expect(Date.now() - closing).toBeLessThan(5_000);
    for (const { text, error } of ended) {
      // the stream ends: cleanly, or cut with the connection while its replay was still being
      // written (the server closes every connection); never left open
      if (error !== undefined) expect((error as Error).message).toBe('other side closed');
      expect(text.startsWith('retry: ')).toBe(true);
    }
    expect(liveStats.streams).toBe(0);
    expect(liveStats.feeds).toBe(0);
  }, 60_000);
});
