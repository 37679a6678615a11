/**
 * `pnpm bench:http`: the engine's HTTP throughput next to wrk and autocannon on the same nginx
 * target, one core each (shared/bench/peer-http.sh does the pinning). The engine runs as a user
 * would: `perftest run-url` with one thread, HDR recording and the 2xx status checkpoint on.
 * Prints the script's JSON line: wrk_rps, autocannon_rps, engine_rps and the two ratios.
 * CONNECTIONS (64), SECONDS_EACH (10) and PORT (18080) pass through to the script.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(fileURLToPath(new URL('..', import.meta.url)));
const script = path.resolve(root, '../shared/bench/peer-http.sh');
const ENGINE_CMD =
  'npx tsx apps/api/src/cli/perftest.ts run-url {url} -c {connections} -d {seconds} --threads 1 --json';

const child = spawn('env', [`ENGINE_CMD=${ENGINE_CMD}`, 'bash', script], {
  cwd: root,
  stdio: ['ignore', 'pipe', 'inherit'],
});
let out = '';
child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
child.on('close', (code) => {
  const line = out.trim().split('\n').at(-1) ?? '';
  if (code !== 0 || !line.startsWith('{')) {
    process.stderr.write(`bench:http: peer-http.sh exited with ${code}\n${out}`);
    process.exitCode = code || 1;
    return;
  }
  process.stdout.write(`${line}\n`);
});
