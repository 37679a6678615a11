/**
 * The reconcile loop of one process: a pass every RECONCILE_EVERY_MS and one soon whenever the
 * runs channel is notified or poke() is called (passes never overlap; pokes during a pass, or within
 * MIN_PASS_GAP_MS of its end, coalesce into one more). The API runs one even without an embedded worker, so that a run whose workers all
 * died still ends; a worker runs one too, so that runs progress while the API is down.
 */
import type { Database, Unlisten } from '@perftest/store';
import { RUNS_CHANNEL } from './channel.js';
import { reconcile, type ReconcileOptions } from './lifecycle/reconcile.js';
import { SILENT_LOG, type RunnerLog } from './log.js';
import { MIN_PASS_GAP_MS, RECONCILE_EVERY_MS } from './timing.js';

/** Options of a dispatcher. */
export interface DispatcherOptions {
  log?: RunnerLog;
  everyMs?: number;
  reconcile?: ReconcileOptions;
  /** Called for every notification of the runs channel (the worker claims then). */
  onNotify?: () => void;
}

/** Reconciles the runs periodically and on demand. */
export class Dispatcher {
  private timer: NodeJS.Timeout | undefined;
  private unlisten: Unlisten | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private lastEnd = 0;
  private delayed: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly log: RunnerLog;

  constructor(
    private readonly db: Database,
    private readonly options: DispatcherOptions = {},
  ) {
    this.log = options.log ?? SILENT_LOG;
  }

  /** Listens on the runs channel and starts the periodic passes. */
  async start(): Promise<void> {
    this.unlisten = await this.db.listen(RUNS_CHANNEL, () => {
      this.options.onNotify?.();
      this.poke();
    });
    this.timer = setInterval(() => this.poke(), this.options.everyMs ?? RECONCILE_EVERY_MS);
    this.poke();
  }

  /** Runs a pass as soon as possible (MIN_PASS_GAP_MS after the previous one at the earliest). */
  poke(): void {
    if (this.stopped || this.delayed !== undefined) return;
    if (this.running !== undefined) {
      this.again = true;
      return;
    }
    const wait = this.lastEnd + MIN_PASS_GAP_MS - Date.now();
    if (wait > 0) {
      this.delayed = setTimeout(() => {
        this.delayed = undefined;
        this.poke();
      }, wait);
      return;
    }
    this.running = this.pass().finally(() => {
      this.running = undefined;
      this.lastEnd = Date.now();
      if (this.again && !this.stopped) {
        this.again = false;
        this.poke();
      }
    });
  }

  /** Runs one pass now and waits for it (and for a pass already under way). */
  async reconcileNow(): Promise<void> {
    await this.running;
    await this.pass();
  }

  /** Stops the loop and waits for a pass under way. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    clearTimeout(this.delayed);
    await this.running;
    await this.unlisten?.().catch(() => undefined);
  }

  private async pass(): Promise<void> {
    try {
      await reconcile(this.db, { log: this.log, ...this.options.reconcile });
    } catch (error) {
      if (!this.stopped) this.log('warn', 'reconcile pass failed', { error: String(error) });
    }
  }
}
