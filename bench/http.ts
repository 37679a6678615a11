/**
 * `pnpm bench:http`: the engine's HTTP throughput next to wrk and autocannon on the same target, the
 * same connections and the same core, one after another. The target is a minimal nginx
 * (bench/local-nginx.ts: one worker, every request answered 200 "ok"), its master process pinned to
 * the last core; each load generator runs pinned to core 0 with `taskset`, so the figures compare
 * generators, not machines: quote the ratios. The engine runs as a user would: `perftest run-url`
 * with one thread, HDR recording and the 2xx status checkpoint on.
 * Prints one JSON line: connections, seconds, wrk_rps, autocannon_rps, engine_rps and the two ratios.
 * Env: CONNECTIONS (64), SECONDS_EACH (10). Needs wrk (apt-get install wrk) and nginx (installed
 * with apt-get when missing).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpus } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startNginx } from './local-nginx.js';

const root = path.resolve(fileURLToPath(new URL('..', import.meta.url)));
const connections = Number(process.env.CONNECTIONS ?? 64);
const seconds = Number(process.env.SECONDS_EACH ?? 10);
/** autocannon is a devDependency of @perftest/api, not of the root. */
const autocannonBin = path.join(root, 'apps/api/node_modules/.bin/autocannon');
const GENERATOR_CORE = '0';

/** Runs `command args` pinned to the generator core and returns its standard output. */
function pinned(command: string, args: string[]): string {
  return execFileSync('taskset', ['-c', GENERATOR_CORE, command, ...args], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
}

if (spawnSync('sh', ['-c', 'command -v wrk']).status !== 0) {
  process.stderr.write('bench:http needs wrk (apt-get install -y wrk)\n');
  process.exit(1);
}
const ncpu = cpus().length;
if (ncpu < 2) process.stderr.write('warning: one core only; generator and target share it\n');
const nginx = await startNginx(connections);
try {
  execFileSync('taskset', ['-cp', String(ncpu - 1), String(nginx.pid)], { stdio: 'ignore' });
  const wrkOut = pinned('wrk', ['-t1', `-c${connections}`, `-d${seconds}s`, nginx.url]);
  const wrkRps = Number(/Requests\/sec:\s+([\d.]+)/.exec(wrkOut)?.[1]);
  const acOut = pinned(autocannonBin, ['-j', '-c', String(connections), '-d', String(seconds), nginx.url]);
  const acRps = Number((JSON.parse(acOut) as { requests: { average: number } }).requests.average);
  const engineOut = pinned('npx', [
    'tsx',
    'apps/api/src/cli/perftest.ts',
    'run-url',
    nginx.url,
    '-c',
    String(connections),
    '-d',
    String(seconds),
    '--threads',
    '1',
    '--json',
  ]);
  const last = JSON.parse(engineOut.trim().split('\n').at(-1) ?? '{}') as { tps?: number; rps?: number };
  const engineRps = Number(last.tps ?? last.rps);
  const round3 = (x: number) => Number(x.toFixed(3));
  process.stdout.write(
    `${JSON.stringify({
      connections,
      seconds,
      wrk_rps: wrkRps,
      autocannon_rps: acRps,
      engine_rps: engineRps,
      engine_vs_autocannon: round3(engineRps / acRps),
      engine_vs_wrk: round3(engineRps / wrkRps),
    })}\n`,
  );
} finally {
  nginx.stop();
}
