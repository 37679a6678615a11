/**
 * bench:live — what viewers of the live stream (docs/live.md) cost the API. The API runs as its own
 * process with no worker inside (PERFTEST_WORKERS=0) on a fresh Postgres database, one separate
 * worker process generates a TPS run of one case with --cards request cards against a local target,
 * and the API's CPU time (utime + stime of its process, from /proc) is measured over --seconds with
 * no viewer, then over --seconds with --viewers streams connected (token auth, as the console
 * reads it). The difference is the viewers' cost, in percent of one core. Also printed: how far
 * behind the end of its second each interval event arrived, and whether every viewer got every event.
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npx pnpm bench:live
 *     [--viewers 100] [--seconds 20] [--tps 200] [--cards 10]
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { freshDatabase, TEST_AK, TEST_PASSWORD, TEST_SK, TestClient } from '../apps/api/test/helpers.js';
import { startServer } from '../apps/api/test/processes.js';
import { createTask, startTask, startWorkerProcess, waitForRunStatus } from '../apps/api/test/runs-fixtures.js';
import { CardType, ContentType, OperateMode, PressureMode, ProtocolType, type CaseInfoDetail } from '../packages/model/src/index.js';

const PROJECT = 'runs-project';

function arg(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 && at + 1 < process.argv.length ? process.argv[at + 1] : fallback;
}

const VIEWERS = Number(arg('viewers', '100'));
const SECONDS = Number(arg('seconds', '20'));
const TPS = Number(arg('tps', '200'));
const CARDS = Number(arg('cards', '10'));

/** CPU seconds (user + system) a process has used, from /proc. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ 100)
}

/** CPU used by `pid` over `seconds`, in percent of one core. */
async function cpuPercent(pid: number, seconds: number): Promise<number> {
  const cpu0 = cpuSeconds(pid);
  const t0 = performance.now();
  await sleep(seconds * 1000);
  return ((cpuSeconds(pid) - cpu0) / ((performance.now() - t0) / 1000)) * 100;
}

/** One viewer: counts interval events and how far behind the end of their second each arrived. */
class Viewer {
  events = 0;
  lags: number[] = [];
  ids = new Set<string>();
  private readonly controller = new AbortController();

  async open(url: string, token: string): Promise<void> {
    const res = await fetch(url, { headers: { 'X-Auth-Token': token }, signal: this.controller.signal });
    if (res.status !== 200 || res.body === null) throw new Error(`viewer got ${res.status}: ${await res.text()}`);
    const body = res.body;
    void (async () => {
      let buffer = '';
      const decoder = new TextDecoder();
      try {
        for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
          buffer += decoder.decode(chunk, { stream: true });
          let cut: number;
          while ((cut = buffer.indexOf('\n\n')) >= 0) {
            const event = buffer.slice(0, cut);
            buffer = buffer.slice(cut + 2);
            const id = /^id: (\d+):\d+$/m.exec(event);
            if (id === null) continue;
            this.events++;
            this.ids.add(/^id: (\S+)$/m.exec(event)![1]);
            this.lags.push(Date.now() - (Number(id[1]) + 1) * 1000);
          }
        }
      } catch {
        // closed by close()
      }
    })();
  }

  close(): void {
    this.controller.abort();
  }
}

const quantile = (values: number[], q: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
};

async function main(): Promise<void> {
  process.env.DATABASE_URL ??= 'postgres://postgres@127.0.0.1:5432/postgres';
  const fresh = await freshDatabase('postgres');
  let count = 0;
  const target = createServer((req, res) => {
    count++;
    req.resume();
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '2' }).end('ok');
  });
  target.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
  const targetUrl = `http://127.0.0.1:${(target.address() as AddressInfo).port}`;
  const api = await startServer({
    DATABASE_URL: fresh.url as string,
    PERFTEST_WORKERS: '0',
    PERFTEST_AK: TEST_AK,
    PERFTEST_SK: TEST_SK,
    PERFTEST_ADMIN_PASSWORD: TEST_PASSWORD,
    PORT: '0',
    LOG_LEVEL: 'warn',
  });
  const worker = await startWorkerProcess(fresh.url as string, 1);
  const viewers: Viewer[] = [];
  try {
    const client = new TestClient(api.baseUrl, { kind: 'sign', ak: TEST_AK, sk: TEST_SK });
    const auth = {
      identity: { methods: ['password'], password: { user: { name: 'admin', password: TEST_PASSWORD, domain: { name: 'admin' } } } },
      scope: { project: { id: PROJECT } },
    };
    const token = (await client.post('/v3/auth/tokens', { auth }, { auth: { kind: 'none' } })).headers['x-subject-token'] as string;
    const kase: CaseInfoDetail = {
      name: 'live-bench',
      contents: Array.from({ length: CARDS }, (_, i) => ({
        data_type: CardType.Request,
        content: [{ content_type: ContentType.Packet, content: { protocol_type: ProtocolType.Http, name: `card-${i}`, method: 'GET', url: `${targetUrl}/c${i}` } }],
      })),
      stages: [{ pressure_mode: PressureMode.Tps, operate_mode: OperateMode.ByDuration, time: 2 * SECONDS + 15, tps_value: TPS, issue_num: 50 }],
    };
    const { suiteId, taskId } = await createTask(client, [kase], false);
    const taskRunId = await startTask(client, suiteId, taskId);
    await waitForRunStatus(client, taskId, [0], 30_000);
    await sleep(3000);
    const pid = api.child.pid as number;
    const idle = await cpuPercent(pid, SECONDS);

    const url = `${api.baseUrl}/v1/${PROJECT}/task-run-infos/${taskRunId}/live`;
    for (let i = 0; i < VIEWERS; i++) {
      const viewer = new Viewer();
      await viewer.open(url, token);
      viewers.push(viewer);
    }
    await sleep(3000); // the connections' replay is not part of the steady cost
    for (const viewer of viewers) {
      viewer.lags = [];
      viewer.events = 0;
    }
    const watched = await cpuPercent(pid, SECONDS);
    const lags = viewers.flatMap((v) => v.lags);
    const counts = viewers.map((v) => v.events);
    const sameIds = viewers.every((v) => v.ids.size === viewers[0].ids.size);
    console.log(
      `live: ${VIEWERS} viewers of one run (${CARDS} cards, ${TPS} TPS, one worker process), ${SECONDS} s windows\n` +
        `  API CPU without viewers ${idle.toFixed(2)} % of one core, with them ${watched.toFixed(2)} %: the viewers cost ${(watched - idle).toFixed(2)} % (goal < 5 %)\n` +
        `  interval events per viewer in the window: min ${Math.min(...counts)}, max ${Math.max(...counts)}; every viewer got the same events: ${sameIds}\n` +
        `  behind the end of their second: median ${quantile(lags, 0.5)} ms, p95 ${quantile(lags, 0.95)} ms, max ${Math.max(...lags)} ms (goal <= 2000 ms)\n` +
        `  target answered ${count} requests`,
    );
  } finally {
    for (const viewer of viewers) viewer.close();
    await worker.kill('SIGTERM');
    await api.stop();
    target.closeAllConnections();
    target.close();
    await fresh.drop();
  }
}

void main();
