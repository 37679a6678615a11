/**
 * The run gauges of /metrics, read from the database at each scrape (docs/metrics.md): live
 * workers, task runs and case runs by status, and for each case run running now the figures of its
 * latest complete second, merged over every share and worker as the live stream merges them
 * (live/frame.ts). Only running case runs have series: one that ended is gone at the next scrape,
 * so the label sets stay as few as the runs at once.
 */
import { Gauge, type Registry } from 'prom-client';
import type { Queryable } from '@perftest/store';
import { FrameBuilder, type Frame } from '../live/frame.js';
import { liveStats } from '../live/task-run-feed.js';
import { liveWorkerCount, runningCaseRuns, runsByStatus, type RunningCaseRun } from '../storage/metrics.js';

/** Seconds between the end of the second reported and a scrape: rows land about 0.2 s after their second. */
export const METRICS_SECOND_LAG = 1;

/** What one scrape reads, shared by every gauge of that scrape. */
interface Snapshot {
  workers: number;
  runs: Awaited<ReturnType<typeof runsByStatus>>;
  caseRuns: Array<{ run: RunningCaseRun; frame: Frame | undefined }>;
}

const CASE_LABELS = ['project', 'task_id', 'task', 'case_id', 'case', 'case_run'] as const;

function caseLabels(run: RunningCaseRun): Record<(typeof CASE_LABELS)[number], string> {
  return {
    project: run.project,
    task_id: String(run.task_id),
    task: run.task_name,
    case_id: run.case_id === null ? '' : String(run.case_id),
    case: run.name,
    case_run: String(run.id),
  };
}

/** Registers the run gauges on `registry`; they read `db` when scraped. */
export function registerRunMetrics(registry: Registry, db: Queryable): void {
  const frames = new FrameBuilder();
  let pending: { at: number; snapshot: Promise<Snapshot> } | undefined;
  /** One read per scrape: every gauge of a scrape awaits the same one. */
  const snapshot = (): Promise<Snapshot> => {
    const now = Date.now();
    if (pending !== undefined && now - pending.at < 500) return pending.snapshot;
    const second = Math.floor(now / 1000) - 1 - METRICS_SECOND_LAG;
    const read = (async (): Promise<Snapshot> => {
      const [workers, runs, running] = await Promise.all([liveWorkerCount(db), runsByStatus(db), runningCaseRuns(db, second)]);
      return {
        workers,
        runs,
        caseRuns: running.map((run) => ({ run, frame: run.rows.length === 0 ? undefined : frames.build(run.id, second, run.rows) })),
      };
    })();
    pending = { at: now, snapshot: read };
    read.catch(() => {
      if (pending?.snapshot === read) pending = undefined;
    });
    return read;
  };

  new Gauge({
    name: 'perftest_workers_live',
    help: 'Load-generating workers registered and heartbeating (the embedded one included)',
    registers: [registry],
    async collect() {
      this.set((await snapshot()).workers);
    },
  });
  new Gauge({
    name: 'perftest_task_runs',
    help: 'Task runs by status (9 waiting, 0 running, 5 stopping, 2 ended, 3 aborted, 4 stopped)',
    labelNames: ['status'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const { status, n } of (await snapshot()).runs.taskRuns) this.set({ status: String(status) }, n);
    },
  });
  new Gauge({
    name: 'perftest_case_runs',
    help: 'Case runs by status (9 waiting, 0 running, 5 stopping, 2 ended, 3 aborted, 4 stopped)',
    labelNames: ['status'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const { status, n } of (await snapshot()).runs.caseRuns) this.set({ status: String(status) }, n);
    },
  });
  new Gauge({
    name: 'perftest_live_streams',
    help: 'Live streams (server-sent events) this API process serves',
    registers: [registry],
    collect() {
      this.set(liveStats.streams);
    },
  });

  /** A gauge per running case run, from its latest second's frame (0 without rows). */
  const perCaseRun = (name: string, help: string, value: (frame: Frame) => number): void => {
    new Gauge({
      name,
      help,
      labelNames: CASE_LABELS,
      registers: [registry],
      async collect() {
        this.reset();
        for (const { run, frame } of (await snapshot()).caseRuns) this.set(caseLabels(run), frame === undefined ? 0 : value(frame));
      },
    });
  };
  perCaseRun('perftest_case_run_users', 'Active virtual users of a running case run (latest complete second)', (f) => f.users);
  perCaseRun('perftest_case_run_tps', 'Successful requests per second of a running case run (latest complete second)', (f) => f.tps);
  perCaseRun('perftest_case_run_rps', 'Requests per second of a running case run (latest complete second)', (f) => f.rps);
  perCaseRun('perftest_case_run_errors', 'Failed requests per second of a running case run (latest complete second)', (f) => f.rps - f.tps);
  perCaseRun('perftest_case_run_dropped', 'Iteration starts dropped per second for want of a free user (TPS modes)', (f) => f.dropped);
  new Gauge({
    name: 'perftest_case_run_response_time_seconds',
    help: 'Response-time quantiles of a running case run over its latest complete second (NaN without requests)',
    labelNames: [...CASE_LABELS, 'quantile'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const { run, frame } of (await snapshot()).caseRuns) {
        const labels = caseLabels(run);
        const quantiles: Array<[string, number]> = [['0.5', frame?.rt.p50 ?? Number.NaN], ['0.9', frame?.rt.p90 ?? Number.NaN], ['0.99', frame?.rt.p99 ?? Number.NaN]];
        for (const [quantile, ms] of quantiles) this.set({ ...labels, quantile }, frame === undefined || frame.rps === 0 ? Number.NaN : ms / 1000);
      }
    },
  });
}
