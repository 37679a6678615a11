/**
 * The piscina pool that engine threads run on. A run on threads either starts its own pool (the CLI,
 * one run per process: the threads load the engine, about 0.8-1.5 s under tsx, then run) or borrows
 * one kept warm between runs by a long-lived process (a worker): its threads are started and have
 * the engine loaded before the first run, so a run's threads are up within milliseconds.
 *
 * A warm pool runs several runs' tasks on each of its threads at once (WARM_TASKS_PER_THREAD; a
 * thread's event loop serves them all, as the calling thread does for runs on one thread) rather than
 * starting a thread per task: its threads are one per core, and a thread started for a second run
 * loads the engine first (1-1.5 s of CPU under tsx), so 10 runs started at once on a 2-thread worker
 * made it start 18 threads, which took longer than short runs' plans on 2 cores and starved the API
 * (docs/run-lifecycle.md, "Queue and capacity"). It grows only when every thread holds that many
 * tasks, and shrinks back to its warm size after a minute idle.
 */
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { MessagePort } from 'node:worker_threads';
import { Piscina } from 'piscina';

/** How long an extra thread of a warm pool stays idle before it ends (ms). */
const EXTRA_IDLE_MS = 60_000;
/** Threads a warm pool may grow to, per warm thread. */
const GROWTH = 16;
/** Tasks (runs' thread shares) each thread of a warm pool runs at once before the pool grows. */
export const WARM_TASKS_PER_THREAD = 16;
/** How long warming may take before open() gives up waiting (ms): a loaded machine is slow. */
const WARM_TIMEOUT_MS = 30_000;

/**
 * The bundled thread entry when this module runs inside the server's bundle: esbuild's `define` sets
 * it (apps/api/src/bundle/server-build.ts); run from the sources it is not defined at all.
 */
declare const BUNDLED_THREAD_ENTRY: string | undefined;

/** The thread entry and the arguments that let a thread load it (tsx for TypeScript sources). */
export function threadEntry(): { filename: string; execArgv: string[] } {
  if (typeof BUNDLED_THREAD_ENTRY === 'string') return { filename: BUNDLED_THREAD_ENTRY, execArgv: [] };
  const here = import.meta.url;
  const typescript = here.endsWith('.ts');
  const filename = fileURLToPath(new URL(typescript ? './thread-worker.ts' : './thread-worker.js', here));
  if (!typescript) return { filename, execArgv: [] };
  const tsx = createRequire(here).resolve('tsx');
  return { filename, execArgv: ['--import', pathToFileURL(tsx).href] };
}

/**
 * The warm-up task: every one of `count` tasks waits until all have arrived, so each holds its own
 * thread and all `count` threads have loaded the engine when they resolve.
 */
export interface WarmTask {
  warm: { arrived: Int32Array; count: number; timeoutMs: number };
}

/** Engine threads for runs: a warm pool kept by a process, or a run's own. */
export class EnginePool {
  private readonly piscina: Piscina;
  private closed = false;

  private constructor(
    /** Threads kept warm (or, for a run's own pool, the run's threads). */
    readonly threads: number,
    warm: boolean,
  ) {
    if (!Number.isInteger(threads) || threads < 1) throw new Error('threads must be a positive integer');
    const entry = threadEntry();
    this.piscina = new Piscina({
      filename: entry.filename,
      execArgv: entry.execArgv,
      minThreads: threads,
      maxThreads: warm ? threads * GROWTH : threads,
      idleTimeout: warm ? EXTRA_IDLE_MS : 1_000,
      concurrentTasksPerWorker: warm ? WARM_TASKS_PER_THREAD : 1,
      // Idle threads keep their event loop free (no blocking wait for the next task between runs).
      atomics: warm ? 'disabled' : 'sync',
    });
  }

  /** A pool for one run, closed by the run when it ends. */
  static forRun(threads: number): EnginePool {
    return new EnginePool(threads, false);
  }

  /**
   * A pool kept warm between runs: resolves once its threads have the engine loaded (`threads`
   * warm-up tasks have arrived; a thread that loaded first may take two of them while the others
   * still load, in which case those join the runs that come after).
   */
  static async open(threads: number): Promise<EnginePool> {
    const pool = new EnginePool(threads, true);
    const arrived = new Int32Array(new SharedArrayBuffer(4));
    const warm = { arrived, count: threads, timeoutMs: WARM_TIMEOUT_MS };
    try {
      await Promise.all(Array.from({ length: threads }, () => pool.piscina.run({ warm } satisfies WarmTask)));
    } catch (error) {
      await pool.close();
      throw error;
    }
    return pool;
  }

  /** Threads the pool has now (warm ones and any it grew). */
  get threadCount(): number {
    return this.piscina.threads.length;
  }

  /** Threads idle now (started, engine loaded, no run). */
  get idleThreads(): number {
    return this.piscina.idleThreads;
  }

  /** Runs one engine thread's task of a run, talking over `port` (transferred). */
  run(port: MessagePort): Promise<void> {
    if (this.closed) return Promise.reject(new Error('the engine pool is closed'));
    return this.piscina.run({ port }, { transferList: [port] }) as Promise<void>;
  }

  /** Ends the threads (a run still on them fails). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.piscina.destroy();
  }
}
