/**
 * The run machinery the server runs besides its routes. With PERFTEST_WORKERS > 0 (the default) an
 * in-process worker with that many engine threads joins the runs like any separate worker (same
 * tables, same claims); with 0 the server only reconciles (so a run whose workers all died still
 * ends) and separate `apps/worker` processes generate the load. Its `control` is the server's
 * RunControl: the start/stop route pokes it. It records the server's PERFTEST_MAX_RUNS_AT_ONCE
 * where every reconciling process reads it (run_limits).
 */
import { consoleLog, DEFAULT_MAX_RUNS_AT_ONCE, Dispatcher, recordRunLimits, RunWorker } from '@perftest/runner';
import type { Database } from '@perftest/store';
import type { TargetPolicySpec } from '@perftest/model';
import type { Config } from './config.js';
import type { RunControl } from './runs/task-runs.js';

/** What the server embeds, and its stop hook. */
export interface Embedded {
  /** Poked after a start or a stop, so that dispatch does not wait for a poll. */
  control: RunControl;
  /** The in-process worker, when there is one. */
  worker: RunWorker | undefined;
  stop(): Promise<void>;
}

/** Starts what the server embeds. */
export async function startEmbedded(
  db: Database,
  config: Pick<Config, 'workers' | 'logLevel'> & Partial<Pick<Config, 'workerMemoryMb' | 'maxRunsAtOnce'>> & { targetPolicy?: TargetPolicySpec },
): Promise<Embedded> {
  const log = consoleLog(config.logLevel, 'runner');
  // every reconciling process (this one, separate workers) reads the runs at once from the database
  await recordRunLimits(db, { maxRunsAtOnce: config.maxRunsAtOnce ?? DEFAULT_MAX_RUNS_AT_ONCE });
  if (config.workers > 0) {
    // PGlite admits one process (its data directory is locked), so embedded workers still registered
    // there died with a previous life of this server: their shares are taken over at once.
    const worker = new RunWorker({
      db,
      threads: config.workers,
      memoryMb: config.workerMemoryMb,
      embedded: true,
      log,
      engine: { targetPolicy: config.targetPolicy },
      replacesEmbedded: db.kind === 'pglite',
    });
    await worker.start();
    return { control: worker, worker, stop: () => worker.stop() };
  }
  if (db.kind === 'pglite') {
    log('warn', 'PERFTEST_WORKERS=0 on the embedded PGlite database: no worker can join it, so every run will end in 3 ("no worker"); use DATABASE_URL with separate workers');
  }
  const dispatcher = new Dispatcher(db, { log });
  await dispatcher.start();
  return { control: dispatcher, worker: undefined, stop: () => dispatcher.stop() };
}
