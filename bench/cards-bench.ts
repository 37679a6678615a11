/**
 * The run of bench:cards as a function, for bench/cards.ts and bench/admission.ts: the real server
 * process as `npx pnpm start` runs it (the bundle of apps/api/src/bundle/server-build.ts, with its
 * in-process worker; PGlite in a temporary directory, or a
 * fresh database of DATABASE_URL's server) runs one case of `cards` GET cards (each its own URL on a
 * local target in this process) with `users` users for `seconds` seconds; the server's resident
 * memory is sampled every 100 ms from /proc (its peak read from VmHWM at the end); then the report
 * is read right after the end, again after the rollup job, and its detail rows paged through and
 * checked against what the target received, card by card.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { CardType, ContentType, OperateMode, PressureMode, ProtocolType, type CaseInfoDetail } from '../packages/model/src/index.js';
import { freshDatabase, TEST_AK, TEST_SK, TestClient } from '../apps/api/test/helpers.js';
import { startServer } from '../apps/api/test/processes.js';

const PROJECT = 'bench-cards';
const PROBE = fileURLToPath(new URL('./memory-probe.mjs', import.meta.url));

/** One line of bench/memory-probe.mjs. */
interface ProbeLine {
  t: number;
  thread: number;
  heapUsed: number;
  heapTotal: number;
  wasm: number;
  wasmResident?: number;
  rss?: number;
  external?: number;
  arrayBuffers?: number;
}

/**
 * Prints, phase by phase, the sample of the server's main thread with the highest RSS and beside it
 * the V8 heaps (used/total) of the main thread and of each worker thread, external and array-buffer
 * memory, and the WebAssembly memory (PGlite's) at that moment.
 */
function printTrace(file: string, phases: ReadonlyArray<{ name: string; at: number }>): void {
  if (!existsSync(file)) {
    console.log('memory trace: no samples (the probe did not load)');
    return;
  }
  const lines = readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as ProbeLine);
  const threads = [...new Set(lines.map((l) => l.thread))].filter((t) => t !== 0).sort((a, b) => a - b);
  const fmt = (n: number | undefined) => (n === undefined ? '-' : n.toFixed(0));
  console.log('memory trace (MB; per phase, the main thread\'s sample of highest RSS; heap used/total):');
  for (let i = 1; i < phases.length; i++) {
    const from = phases[i].at;
    const to = i + 1 < phases.length ? phases[i + 1].at : Number.POSITIVE_INFINITY;
    const main = lines.filter((l) => l.thread === 0 && l.t >= from && l.t < to);
    if (main.length === 0) continue;
    const top = main.reduce((a, b) => ((b.rss ?? 0) > (a.rss ?? 0) ? b : a));
    const workers = threads.map((t) => {
      const near = lines.filter((l) => l.thread === t && Math.abs(l.t - top.t) < 300);
      const w = near.length === 0 ? undefined : near[near.length - 1];
      return `, thread ${t} heap ${fmt(w?.heapUsed)}/${fmt(w?.heapTotal)}`;
    });
    const maxWasm = Math.max(...main.map((l) => l.wasm));
    console.log(
      `  ${phases[i].name.padEnd(18)} rss ${fmt(top.rss)} at +${((top.t - from) / 1000).toFixed(1)} s: main heap ${fmt(top.heapUsed)}/${fmt(top.heapTotal)}${workers.join('')}, ` +
        `external ${fmt(top.external)} (array buffers ${fmt(top.arrayBuffers)}), wasm ${fmt(top.wasm)} (resident ${fmt(top.wasmResident)}, phase max ${fmt(maxWasm)})`,
    );
  }
}

/** A process's resident and peak resident memory (MB) from /proc. */
export function memoryOf(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? Number.NaN);
  return { rss: kb('VmRSS') / 1024, hwm: kb('VmHWM') / 1024 };
}

/** The body of a response of status `status`, else throws with what came. */
export async function ok(res: Promise<{ status: number; text: string; body: any }>, status: number): Promise<any> {
  const r = await res;
  if (r.status !== status) throw new Error(`expected ${status}, got ${r.status}: ${r.text.slice(0, 500)}`);
  return r.body;
}

/** What bench:cards runs. */
export interface CardsOptions {
  cards: number;
  users: number;
  seconds: number;
  /** PERFTEST_WORKERS of the server. */
  threads: string;
  db: 'pglite' | 'postgres';
  /** Loads bench/memory-probe.mjs into the server and prints where its memory went, phase by phase. */
  trace?: boolean;
}

/** What bench:cards measured. */
export interface CardsFigures {
  runStatus: number;
  ranMs: number;
  targetTotal: number;
  reportTotal: number;
  mismatchedCards: number;
  idleMb: number;
  peakMb: number;
  hwmMb: number;
  firstReadMs: number;
  firstReadBytes: number;
  rolledReadMs: number;
}

/** Runs bench:cards once, prints its lines and returns its figures. */
export async function benchCards(options: CardsOptions): Promise<CardsFigures> {
  const { cards: CARDS, users: USERS, seconds: SECONDS, threads: THREADS, db: DB } = options;
  const served = new Map<string, number>();
  const target = createServer((req, res) => {
    served.set(req.url ?? '', (served.get(req.url ?? '') ?? 0) + 1);
    req.resume();
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '2' }).end('ok');
  });
  target.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(target.address() as AddressInfo).port}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'perftest-bench-cards-'));
  const postgres = DB === 'postgres' ? await freshDatabase('postgres') : undefined;
  const database: Record<string, string> = postgres === undefined ? { PERFTEST_DATA_DIR: dataDir } : { DATABASE_URL: postgres.url as string };
  const traceFile = options.trace ? join(mkdtempSync(join(tmpdir(), 'perftest-bench-trace-')), 'memory.jsonl') : '';
  const trace: Record<string, string> = options.trace
    ? { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import=${PROBE}`.trim(), PERFTEST_MEMORY_TRACE: traceFile }
    : {};
  // PERFTEST_HEAP_SAMPLE=<dir>: the probe also samples allocations, one profile per phase
  const heapSample = options.trace ? process.env.PERFTEST_HEAP_SAMPLE : undefined;
  if (heapSample !== undefined) trace.PERFTEST_HEAP_SAMPLE = heapSample;
  const api = await startServer(
    { PERFTEST_AK: TEST_AK, PERFTEST_SK: TEST_SK, PORT: '0', LOG_LEVEL: 'warn', ...database, PERFTEST_WORKERS: THREADS, ...trace },
    60_000,
    { bundle: true }, // as `npx pnpm start` runs it
  );
  /** When each phase began (ms since the epoch, the probe's clock). */
  const phases: Array<{ name: string; at: number }> = [{ name: 'start', at: Date.now() }];
  const phase = (name: string): void => {
    phases.push({ name, at: Date.now() });
    if (heapSample !== undefined) process.kill(api.child.pid as number, 'SIGUSR2');
  };
  const pid = api.child.pid as number;
  try {
    const client = new TestClient(api.baseUrl, { kind: 'sign', ak: TEST_AK, sk: TEST_SK });
    const kase = {
      name: 'cards',
      contents: Array.from({ length: CARDS }, (_, i) => ({
        data_type: CardType.Request,
        content: [{ content_type: ContentType.Packet, content: { protocol_type: ProtocolType.Http, name: `c${i}`, method: 'GET', url: `${url}/c${i}` } }],
      })),
      stages: [{ name: 'load', pressure_mode: PressureMode.Concurrency, operate_mode: OperateMode.ByDuration, time: SECONDS, issue_num: USERS }],
    } as CaseInfoDetail;
    const suite = await ok(client.post(`/v1/${PROJECT}/test-suites`, { name: 'cards' }), 201);
    const task = await ok(client.post(`/v1/${PROJECT}/tasks`, { name: 'cards', project_id: suite.project_id, parallel: false }), 201);
    await ok(client.post(`/v1/${PROJECT}/task-cases`, { ...kase, type: 0, task_id: task.task_id }), 201);
    phase('idle, case saved');
    const idle = memoryOf(pid);
    let peak = idle.rss;
    let peakPhase = 'idle';
    const sampler = setInterval(() => {
      const rss = memoryOf(pid).rss;
      if (rss > peak) [peak, peakPhase] = [rss, phases[phases.length - 1].name];
    }, 100);
    const startedAt = performance.now();
    const body = { cluster_id: 0, cluster_type: 'shared-cluster-internet', without_package: 0, network_info: { network_type: 'internet' }, status: 9 };
    phase('run');
    const taskRunId = (await ok(client.post(`/v1/${PROJECT}/test-suites/${suite.project_id}/tasks/${task.task_id}`, body), 200)).result.task_run_id;
    let info: any;
    for (;;) {
      info = (await ok(client.get(`/v1/${PROJECT}/tasks/${task.task_id}`), 200)).taskInfo;
      if ([2, 3, 4].includes(info.run_status)) break;
      if (performance.now() - startedAt > (SECONDS + 120) * 1000) throw new Error('the run did not end');
      await sleep(200);
    }
    const ranMs = performance.now() - startedAt;
    const caseRunId = info.related_temp_running_data[0].related_temp_running_id;
    const path = `/v1/${PROJECT}/task-run-infos/${taskRunId}/case-run-infos/${caseRunId}/reports?brokens_limit_count=360`;
    const read = async (query = '') => {
      const t = performance.now();
      const res = await client.get(path + query);
      if (res.status !== 200) throw new Error(`report: ${res.status} ${res.text.slice(0, 300)}`);
      return { ms: performance.now() - t, bytes: Buffer.byteLength(res.text), result: res.body.result };
    };
    phase('first report read');
    const first = await read();
    const afterFirst = memoryOf(pid);
    phase('rollup');
    await sleep(8_000); // past the rollup grace and one pass of the rollup job
    phase('rolled read');
    const rolled = await read();
    phase('detail pages');
    clearInterval(sampler);
    const end = memoryOf(pid);
    // every detail row, page by page, against what the target received
    const counted = new Map<string, number>();
    let pages = 0;
    for (let page = 1; ; page++) {
      const r = await read(`&details_page=${page}`);
      pages++;
      const rows = r.result.details.data[0].detailDatas as Array<{ name: string; requests: number }>;
      for (const row of rows) counted.set(row.name, row.requests);
      if (rows.length === 0 || counted.size >= CARDS || page > CARDS) break;
    }
    let mismatched = 0;
    let total = 0;
    for (let i = 0; i < CARDS; i++) {
      const got = counted.get(`c${i}`) ?? 0;
      total += got;
      if (got !== (served.get(`/c${i}`) ?? 0)) mismatched++;
    }
    const targetTotal = [...served.values()].reduce((a, b) => a + b, 0);
    console.log(
      `${DB}: ${CARDS} cards, ${USERS} user(s), ${SECONDS} s, ${THREADS} engine thread(s): ended ${info.run_status} in ${(ranMs / 1000).toFixed(1)} s; ` +
        `target answered ${targetTotal}, report counts ${total} (${mismatched} cards differ; ${counted.size} rows over ${pages} page reads)`,
    );
    console.log(
      `server RSS: idle ${idle.rss.toFixed(0)} MB, peak sampled ${peak.toFixed(0)} MB (${peakPhase}), VmHWM ${end.hwm.toFixed(0)} MB ` +
        `(after the first report read ${afterFirst.rss.toFixed(0)} MB, at the end ${end.rss.toFixed(0)} MB)`,
    );
    console.log(
      `report: first read ${first.ms.toFixed(0)} ms, ${(first.bytes / 1e6).toFixed(2)} MB, ${first.result.details.data[0].detailDatas.length} detail rows; ` +
        `after the rollup ${rolled.ms.toFixed(0)} ms, ${(rolled.bytes / 1e6).toFixed(2)} MB`,
    );
    if (options.trace) {
      await sleep(200);
      printTrace(traceFile, phases);
    }
    return {
      runStatus: info.run_status,
      ranMs,
      targetTotal,
      reportTotal: total,
      mismatchedCards: mismatched,
      idleMb: idle.rss,
      peakMb: peak,
      hwmMb: end.hwm,
      firstReadMs: first.ms,
      firstReadBytes: first.bytes,
      rolledReadMs: rolled.ms,
    };
  } finally {
    await api.stop();
    target.close();
    rmSync(dataDir, { recursive: true, force: true });
    if (options.trace && process.env.PERFTEST_KEEP_TRACE === undefined) rmSync(join(traceFile, '..'), { recursive: true, force: true });
    else if (options.trace) console.log(`memory trace kept: ${traceFile}`);
    await postgres?.drop();
  }
}
