/**
 * `pnpm bench:tps [--tps 5000] [--seconds 30] [--threads 1] [--users 500]`: holds a TPS stage
 * against a local nginx (bench/local-nginx.ts) and prints every second's achieved TPS (successful
 * transactions completed in the second) and starts, each marked whether it is within 1 % of the
 * target. The run starts on a whole second, so each printed second is a whole second of schedule.
 */
import { startRun, tuneHeapForLoad, type RunSummary } from '../packages/engine/src/index.js';
import type { IntervalMessage } from '../packages/model/src/index.js';
import { startNginx } from './local-nginx.js';

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const value = at >= 0 ? Number(process.argv[at + 1]) : fallback;
  if (!(value > 0)) throw new Error(`--${name} must be a positive number`);
  return value;
}

const target = option('tps', 5000);
const seconds = option('seconds', 30);
const threads = option('threads', 1);
const users = option('users', 500);
const nginx = await startNginx(users + 64, 1);
tuneHeapForLoad();

const rows: IntervalMessage[] = [];
let summary: RunSummary;
try {
  const startAt = (Math.floor(Date.now() / 1000) + 2) * 1000;
  const run = await startRun({
    case: {
      name: 'bench-tps',
      contents: [
        {
          data_type: 0,
          content: [
            { content_type: 2, content: { protocol_type: 1, name: 'GET', method: 'GET', url: nginx.url } },
            {
              content_type: 3,
              content: { checks: [{ source: 'status', operator: '>=', value: '200' }, { source: 'status', operator: '<', value: '300' }] },
            },
          ],
        },
      ],
      stages: [{ pressure_mode: 1, operate_mode: 0, time: seconds, tps_value: target, issue_num: users }],
    },
    threads,
    options: { startAt },
    onInterval: (interval) => {
      if (interval.second < startAt / 1000 || rows.length >= seconds) return;
      rows.push(interval);
      const k = rows.length;
      const tps = interval.iterations.outcomes.success;
      const within = Math.abs(tps - target) <= target * 0.01;
      const maxMs = interval.iterations.rtMaxUs / 1000;
      process.stdout.write(
        `second ${String(k).padStart(3)}  tps ${String(tps).padStart(6)}  started ${String(interval.started).padStart(6)}  ` +
          `dropped ${interval.dropped}  users ${String(interval.users).padStart(4)}  max rt ${maxMs.toFixed(1)} ms  ${within ? 'ok (within 1%)' : 'MISS'}\n`,
      );
    },
  });
  summary = await run.done;
} finally {
  nginx.stop();
}
const whole = rows;
const ok = whole.filter((i) => Math.abs(i.iterations.outcomes.success - target) <= target * 0.01).length;
process.stdout.write(
  `${JSON.stringify({
    target_tps: target,
    seconds,
    threads,
    seconds_within_1pct: ok,
    achieved_tps: Number((whole.reduce((n, i) => n + i.iterations.outcomes.success, 0) / whole.length).toFixed(1)),
    started: summary.started,
    dropped: summary.dropped,
    errors: summary.requests.errorCount,
    tp50_ms: summary.iterations.percentiles.tp50 / 1000,
    tp99_ms: summary.iterations.percentiles.tp99 / 1000,
  })}\n`,
);
