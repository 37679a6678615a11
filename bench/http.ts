/**
 * `pnpm bench:http [--connections 64] [--seconds 10] [--runs 1] [--only wrk,autocannon,engine]
 * [--engine-args "..."]`: the engine's bare-GET throughput next to wrk and autocannon on the same
 * nginx (bench/local-nginx.ts: one worker pinned to core 1, `200 ok`), each generator pinned to
 * core 0 in turn, one after another. The engine runs as a user would: `perftest run-url` with one
 * thread, HDR recording and the 2xx status checkpoint on; its rps is its `tps` (successful requests
 * per second). CPU per request is the generator's whole process tree (start-up included) divided by
 * its requests; the engine's own `cpuUsPerRequest` (the run alone) is printed beside it.
 * One JSON line per run, then, with several runs, one line of medians and the worst ratio.
 * `--cpu-prof DIR` runs the engine under node's CPU profiler (the .cpuprofile lands in DIR).
 */
import { startNginx } from './local-nginx.js';
import { AUTOCANNON, median, numberOption, perftestCommand, round, runPinned, textOption, type Measured } from './peers.js';

const connections = numberOption('connections', 64);
const seconds = numberOption('seconds', 10);
const runs = numberOption('runs', 1);
const only = new Set(textOption('only', 'wrk,autocannon,engine').split(','));
const engineArgs = textOption('engine-args', '').split(' ').filter((a) => a !== '');
const GEN_CPU = 0;

interface Figures {
  rps: number;
  requests: number;
  cpuUsPerRequest: number;
  /** The engine's own figure over the run alone. */
  runCpuUsPerRequest?: number;
}

function fail(tool: string, m: Measured): never {
  throw new Error(`${tool} exited with ${m.code}\n${m.stdout}\n${m.stderr}`);
}

async function wrk(url: string): Promise<Figures> {
  const m = await runPinned(GEN_CPU, ['wrk', '-t1', `-c${connections}`, `-d${seconds}s`, url]);
  if (m.code !== 0) fail('wrk', m);
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(m.stdout)?.[1]);
  const requests = Number(/(\d+) requests in/.exec(m.stdout)?.[1]);
  return { rps: round(rps), requests, cpuUsPerRequest: round((m.cpuSeconds * 1e6) / requests, 2) };
}

async function autocannon(url: string): Promise<Figures> {
  const m = await runPinned(GEN_CPU, [AUTOCANNON, '-j', '-c', String(connections), '-d', String(seconds), url]);
  if (m.code !== 0) fail('autocannon', m);
  const json = JSON.parse(m.stdout) as { requests: { average: number; total: number } };
  const requests = json.requests.total;
  return { rps: round(json.requests.average), requests, cpuUsPerRequest: round((m.cpuSeconds * 1e6) / requests, 2) };
}

async function engine(url: string): Promise<Figures> {
  const argv = [...perftestCommand(), 'run-url', url, '-c', String(connections), '-d', String(seconds), '--threads', '1', '--json', ...engineArgs];
  const m = await runPinned(GEN_CPU, argv);
  if (m.code !== 0) fail('engine', m);
  const json = JSON.parse(m.stdout.trim().split('\n').at(-1) ?? '') as { tps: number; requests: number; cpuUsPerRequest: number };
  return {
    rps: round(json.tps),
    requests: json.requests,
    cpuUsPerRequest: round((m.cpuSeconds * 1e6) / json.requests, 2),
    runCpuUsPerRequest: json.cpuUsPerRequest,
  };
}

const nginx = await startNginx(4096, 1);
const results: Record<string, Figures | null>[] = [];
try {
  for (let run = 0; run < runs; run++) {
    const row: Record<string, Figures | null> = { wrk: null, autocannon: null, engine: null };
    if (only.has('wrk')) row.wrk = await wrk(nginx.url);
    if (only.has('autocannon')) row.autocannon = await autocannon(nginx.url);
    if (only.has('engine')) row.engine = await engine(nginx.url);
    results.push(row);
    const line: Record<string, unknown> = { run: run + 1, connections, seconds, ...row };
    if (row.engine && row.autocannon) line.engine_vs_autocannon = round(row.engine.rps / row.autocannon.rps, 3);
    if (row.engine && row.wrk) line.engine_vs_wrk = round(row.engine.rps / row.wrk.rps, 3);
    process.stdout.write(`${JSON.stringify(line)}\n`);
  }
} finally {
  nginx.stop();
}

if (runs > 1) {
  const column = (tool: string, pick: (f: Figures) => number): number[] =>
    results.flatMap((r) => (r[tool] ? [pick(r[tool] as Figures)] : []));
  const summary: Record<string, unknown> = { runs };
  for (const tool of ['wrk', 'autocannon', 'engine']) {
    if (!only.has(tool)) continue;
    summary[`${tool}_rps_median`] = median(column(tool, (f) => f.rps));
    summary[`${tool}_cpu_us_median`] = median(column(tool, (f) => f.cpuUsPerRequest));
  }
  const ratios = (peer: string): number[] =>
    results.flatMap((r) => (r.engine && r[peer] ? [round((r.engine as Figures).rps / (r[peer] as Figures).rps, 3)] : []));
  if (only.has('engine') && only.has('autocannon')) {
    summary.engine_vs_autocannon_median = median(ratios('autocannon'));
    summary.engine_vs_autocannon_worst = Math.min(...ratios('autocannon'));
  }
  if (only.has('engine') && only.has('wrk')) summary.engine_vs_wrk_median = median(ratios('wrk'));
  process.stdout.write(`${JSON.stringify(summary)}\n`);
}
