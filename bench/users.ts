/**
 * `pnpm bench:users [--users 10000] [--seconds 60] [--think 1000] [--ramp 5] [--threads 1]`: many
 * virtual users that each GET a local nginx (bench/local-nginx.ts) and think 1 s, paced from the
 * start of the request, for a minute; the users are started over the first `ramp` seconds (10,000
 * connections opened in one instant overflow the target's accept queue). Prints users and requests
 * per second, then the engine process's peak RSS (goal: under 250 MB for 10,000 users).
 */
import { startRun, tuneHeapForLoad } from '../packages/engine/src/index.js';
import { startNginx } from './local-nginx.js';

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const value = at >= 0 ? Number(process.argv[at + 1]) : fallback;
  if (!(value > 0)) throw new Error(`--${name} must be a positive number`);
  return value;
}

const users = option('users', 10_000);
const seconds = option('seconds', 60);
const thinkMs = option('think', 1000);
const threads = option('threads', 1);
const ramp = option('ramp', 5);
const nginx = await startNginx(users + 64, 1);
// As `perftest run` does: keep the old space near the live heap (run/heap-tuning.ts).
tuneHeapForLoad(undefined, threads === 1);

let peakRss = 0;
const sample = (): void => {
  peakRss = Math.max(peakRss, process.memoryUsage.rss());
};
const sampler = setInterval(sample, 200);
const mb = (bytes: number): number => Math.round(bytes / 1024 / 1024);
/** V8 heap used/total and memory outside it (wasm, buffers), for seeing where the RSS goes. */
const heap = (): string => {
  const m = process.memoryUsage();
  return `${mb(m.heapUsed)}/${mb(m.heapTotal)} MB, external ${mb(m.external)} MB`;
};

try {
  const started = Date.now();
  const run = await startRun({
    case: {
      name: 'bench-users',
      contents: [
        {
          data_type: 0,
          content: [
            { content_type: 2, content: { protocol_type: 1, name: 'GET', method: 'GET', url: nginx.url } },
            { content_type: 1, content: { think_time: thinkMs } },
          ],
        },
      ],
      stages: [{ pressure_mode: 0, operate_mode: 0, time: seconds, current_user_num: 0, ramp_up: ramp, issue_num: users }],
    },
    threads,
    onInterval: (interval) => {
      sample();
      let requests = 0;
      let errors = 0;
      const kinds = new Map<string, number>();
      for (const key of Object.keys(interval.cards)) {
        const card = interval.cards[key];
        requests += card.requests;
        errors += card.requests - card.outcomes.success;
        for (const [outcome, n] of Object.entries(card.outcomes)) {
          if (outcome !== 'success' && n > 0) kinds.set(outcome, (kinds.get(outcome) ?? 0) + n);
        }
      }
      process.stdout.write(
        `[${String(Math.round((Date.now() - started) / 1000)).padStart(3)}s] users ${String(interval.users).padStart(6)}  ` +
          `requests ${String(requests).padStart(6)}  errors ${errors}${kinds.size > 0 ? ` ${JSON.stringify(Object.fromEntries(kinds))}` : ''}  ` +
          `rss ${mb(process.memoryUsage.rss())} MB (heap ${heap()})\n`,
      );
    },
  });
  const summary = await run.done;
  sample();
  const peak = Math.max(peakRss, process.resourceUsage().maxRSS * 1024);
  process.stdout.write(
    `${JSON.stringify({
      users,
      seconds,
      think_ms: thinkMs,
      ramp_s: ramp,
      threads,
      peak_rss_mb: mb(peak),
      goal_mb: 250,
      max_users: summary.maxUsers,
      requests: summary.requests.requests,
      errors: summary.requests.errorCount,
      rps: Number((summary.requests.requests / summary.durationS).toFixed(1)),
      tp50_ms: summary.requests.percentiles.tp50 / 1000,
      tp99_ms: summary.requests.percentiles.tp99 / 1000,
    })}\n`,
  );
} finally {
  clearInterval(sampler);
  nginx.stop();
}
