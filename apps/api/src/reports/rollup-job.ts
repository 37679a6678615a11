/**
 * Rolls up case runs soon after they end, so that even the first read of a finished run's report
 * reads its rollup instead of folding its intervals. Every ROLLUP_JOB_INTERVAL_MS the job asks for
 * case runs that ended at least ROLLUP_GRACE_SECONDS ago and have no rollup, most recent first, and
 * rolls them up one after another: it folds their rows in the background (yielding to the event
 * loop every few rows) and writes the rollup. A case run whose rollup fails is logged and skipped
 * until the server restarts (its reports still fold the intervals). Case runs that predate the
 * rollups are rolled up too, newest first, one at a time.
 *
 * A case run whose report was read after its end is usually in the report cache already, every row
 * folded (the read came before the grace was over, so it could not write the rollup itself): the
 * job encodes that accumulator instead of folding the rows a second time. The second fold read the
 * whole run back from the database and built it anew, and was the highest point of the server's
 * memory in bench:cards' 10,000-card run on PGlite (bench/RESULTS.md, "The figures of issue 8").
 */
import type { Queryable } from '@perftest/store';
import type { FastifyInstance } from 'fastify';
import { CaseRunAccumulator } from '@perftest/engine';
import { intervalCount } from '../storage/reports.js';
import { foldIntervals } from './interval-fold.js';
import type { ReportCache } from './report-cache.js';
import { rollupCandidates, writeRollup } from './rollup-store.js';

/** Pause between two looks for case runs to roll up. */
export const ROLLUP_JOB_INTERVAL_MS = 2000;
/** Rows read per query, and folded between two yields to the event loop. */
const PAGE_ROWS = 500;
const SLICE_ROWS = 50;
/** Case runs taken per look. */
const BATCH = 10;

/** Where the job reports failures. */
export type RollupJobLog = (message: string, fields: Record<string, unknown>) => void;

/** Options of a rollup job. */
export interface RollupJobOptions {
  intervalMs?: number;
  /** Seconds after its end before a case run is rolled up (ROLLUP_GRACE_SECONDS). */
  graceSeconds?: number;
  log?: RollupJobLog;
  /** The server's report cache: a case run it holds folded whole is rolled up from it. */
  cache?: ReportCache;
}

/** The background loop that rolls up ended case runs. */
export class RollupJob {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private started = false;
  /** Set by stop(): folding under way gives up, nothing more starts. */
  private closing = false;
  private readonly failed = new Set<number>();
  private readonly intervalMs: number;
  private readonly graceSeconds: number | undefined;
  private readonly log: RollupJobLog;
  private readonly cache: ReportCache | undefined;
  /** Rollups written from the report cache's accumulator, without a fold (tests). */
  fromCache = 0;

  constructor(
    private readonly db: Queryable,
    options: RollupJobOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? ROLLUP_JOB_INTERVAL_MS;
    this.graceSeconds = options.graceSeconds;
    this.log = options.log ?? (() => {});
    this.cache = options.cache;
  }

  /** Starts looking, the first time after one interval. */
  start(): void {
    if (this.started || this.closing) return;
    this.started = true;
    this.schedule();
  }

  /** Stops looking; resolves once a rollup under way has given up or finished. */
  async stop(): Promise<void> {
    this.closing = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** Rolls up every case run waiting for it now; returns how many were written (tests call it). */
  async runOnce(): Promise<number> {
    let written = 0;
    for (;;) {
      const candidates = await rollupCandidates(this.db, BATCH, [...this.failed], this.graceSeconds);
      if (candidates.length === 0 || this.closing) return written;
      for (const c of candidates) {
        if (this.closing) return written;
        try {
          const cached = this.cache === undefined ? undefined : this.cache.folded(c.id, await intervalCount(this.db, c.id));
          if (cached !== undefined) {
            if (await writeRollup(this.db, c.id, cached)) {
              written++;
              this.fromCache++;
            } else this.failed.add(c.id); // deleted meanwhile
            continue;
          }
          const acc = new CaseRunAccumulator();
          const complete = await foldIntervals(this.db, c.id, acc, Number.MIN_SAFE_INTEGER, {
            pageRows: PAGE_ROWS,
            sliceRows: SLICE_ROWS,
            stopped: () => this.closing,
          });
          if (!complete) return written;
          if (await writeRollup(this.db, c.id, acc)) written++;
          else this.failed.add(c.id); // deleted meanwhile
        } catch (err) {
          this.failed.add(c.id);
          this.log('report rollup failed; its reports fold the intervals', { caseRunId: c.id, error: String(err) });
        }
      }
    }
  }

  private schedule(): void {
    if (this.closing) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.running = this.runOnce()
        .then(() => undefined)
        .catch((err: unknown) => this.log('looking for case runs to roll up failed', { error: String(err) }))
        .finally(() => {
          this.running = undefined;
          this.schedule();
        });
    }, this.intervalMs);
    this.timer.unref();
  }
}

/** Runs a rollup job beside the server: started when it is ready, stopped when it closes. */
export function installRollupJob(app: FastifyInstance, options: Omit<RollupJobOptions, 'log' | 'cache'> = {}): RollupJob {
  const job = new RollupJob(app.db, { ...options, cache: app.reportCache, log: (message, fields) => app.log.warn(fields, message) });
  app.addHook('onReady', async () => job.start());
  app.addHook('onClose', async () => job.stop());
  return job;
}
