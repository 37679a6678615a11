/**
 * A load-generating worker: registers in `workers`, heartbeats every second, reconciles the runs like
 * every runner process, claims the shares assigned to it (every POLL_MS and at once on NOTIFY), runs
 * each with the engine and follows stops, manual targets and losses of ownership. The same class runs
 * as its own process (apps/worker) and inside the API (the embedded default).
 *
 * An embedded worker on a database no other process can open (PGlite) declares the embedded workers
 * still registered there dead when it starts (`replacesEmbedded`): they are a previous life of its
 * server that died without leaving, and their shares are taken over at once rather than after the
 * dead delay.
 *
 * A worker that finds itself declared dead (a pause longer than the dead delay) stops its shares,
 * which have gone to others, and registers again under a new id. stop() leaves cleanly: its running
 * shares are aborted and handed to the live workers at the next reconcile pass.
 *
 * With several engine threads, the worker keeps a warm pool of them (engine loaded before it
 * registers), so that a share starts on threads within milliseconds of its claim. A share of an
 * intelligent high pressure case run split over workers takes its steps from the run-wide StepFeed.
 */
import { EnginePool, type RunOptions, type StepResult, type StepWatch } from '@perftest/engine';
import { RunStatus, type PreparedCase } from '@perftest/model';
import type { Database } from '@perftest/store';
import { Dispatcher } from './dispatcher.js';
import { IntervalWriter } from './interval-writer.js';
import type { ReconcileOptions } from './lifecycle/reconcile.js';
import type { CaseRunTarget } from './lifecycle/rows.js';
import { claimShares, watchShares, type ClaimRow } from './lifecycle/shares.js';
import { declarePredecessorsDead, heartbeat, leaveWorker, registerWorker } from './lifecycle/workers.js';
import { SILENT_LOG, type RunnerLog } from './log.js';
import { ShareExecution, type ClaimedShare } from './share-execution.js';
import { RendezvousHub } from './shared-coordination.js';
import { StepPoller } from './step-poller.js';
import { HEARTBEAT_MS, MIN_PASS_GAP_MS, POLL_MS } from './timing.js';

/** Options of a worker. */
export interface RunWorkerOptions {
  db: Database;
  /** Engine threads each share runs on (1: on this thread). */
  threads: number;
  /** True for the worker inside the API process. */
  embedded?: boolean;
  /** Memory budget in MB (PERFTEST_WORKER_MEMORY_MB): what it advertises it can hold (lifecycle/capacity.ts). */
  memoryMb?: number;
  host?: string;
  log?: RunnerLog;
  /** Engine options (TLS verification, graceful stop...). */
  engine?: RunOptions;
  pollMs?: number;
  reconcile?: ReconcileOptions;
  /**
   * Declare dead, at start, every embedded worker still registered: only for a database that no
   * other process can open (PGlite; packages/runner/src/lifecycle/workers.ts, declarePredecessorsDead).
   */
  replacesEmbedded?: boolean;
}

/** A worker of runs. */
export class RunWorker {
  private workerId = '';
  private readonly executions = new Map<string, ShareExecution>();
  private readonly dispatcher: Dispatcher;
  private readonly writer: IntervalWriter;
  private readonly rendezvous: RendezvousHub;
  private readonly log: RunnerLog;
  private readonly feeds = new Map<number, StepPoller>();
  private pool: EnginePool | undefined;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  private tickAgain = false;
  private lastTickEnd = 0;
  private tickDelayed: NodeJS.Timeout | undefined;
  private stopping = false;

  constructor(private readonly options: RunWorkerOptions) {
    if (!Number.isInteger(options.threads) || options.threads < 1) throw new Error('options.threads must be a positive integer');
    this.log = options.log ?? SILENT_LOG;
    this.writer = new IntervalWriter(options.db, this.log);
    this.rendezvous = new RendezvousHub(options.db, this.log);
    this.dispatcher = new Dispatcher(options.db, { log: this.log, reconcile: options.reconcile, onNotify: () => this.tick() });
  }

  /** This worker's id in `workers` (empty before start). */
  get id(): string {
    return this.workerId;
  }

  /** Shares running here now. */
  get running(): number {
    return this.executions.size;
  }

  /** Reconciles and claims as soon as possible (after a start or a stop made in this process). */
  poke(): void {
    this.dispatcher.poke();
    this.tick();
  }

  /** Registers and starts heartbeating, reconciling and claiming. */
  async start(): Promise<void> {
    if (this.options.threads > 1) {
      const started = Date.now();
      try {
        this.pool = await EnginePool.open(this.options.threads);
        this.log('info', 'engine threads warm', { threads: this.options.threads, ms: Date.now() - started });
      } catch (error) {
        this.log('warn', 'could not warm the engine threads: each share starts its own', { error: String(error) });
      }
    }
    if (this.options.replacesEmbedded) {
      for (const w of await declarePredecessorsDead(this.options.db)) {
        this.log('warn', 'previous embedded worker declared dead (the server restarted without leaving)', { worker: w.id, host: w.host, pid: w.pid });
      }
    }
    await this.register();
    await this.rendezvous.start();
    this.heartbeatTimer = setInterval(() => void this.beat(), HEARTBEAT_MS);
    this.pollTimer = setInterval(() => this.tick(), this.options.pollMs ?? POLL_MS);
    await this.dispatcher.start();
    this.tick();
  }

  /** Leaves: aborts the running shares (handed to live workers), flushes intervals, deregisters. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    clearInterval(this.heartbeatTimer);
    clearInterval(this.pollTimer);
    clearTimeout(this.tickDelayed);
    await this.dispatcher.stop();
    await this.ticking;
    for (const execution of this.executions.values()) execution.stop('lost');
    await Promise.all([...this.executions.values()].map((e) => e.ended));
    await this.writer.flush();
    this.writer.close();
    await this.rendezvous.stop();
    for (const feed of this.feeds.values()) feed.close();
    this.feeds.clear();
    await this.pool?.close();
    if (this.workerId) await leaveWorker(this.options.db, this.workerId).catch(() => undefined);
    this.log('info', 'worker left', { worker: this.workerId });
  }

  private async register(): Promise<void> {
    this.workerId = await registerWorker(this.options.db, {
      threads: this.options.threads,
      embedded: this.options.embedded ?? false,
      host: this.options.host,
      memoryMb: this.options.memoryMb,
    });
    this.log('info', 'worker registered', { worker: this.workerId, threads: this.options.threads, embedded: this.options.embedded ?? false });
  }

  private async beat(): Promise<void> {
    if (this.stopping) return;
    try {
      if (await heartbeat(this.options.db, this.workerId)) return;
      this.log('warn', 'this worker was declared dead; its shares went to others: registering again', { worker: this.workerId });
      for (const execution of this.executions.values()) execution.stop('lost');
      await this.register();
    } catch (error) {
      this.log('warn', 'heartbeat failed', { error: String(error) });
    }
  }

  /** Claims new shares and follows the running ones; calls coalesce (MIN_PASS_GAP_MS apart at the closest). */
  private tick(): void {
    if (this.stopping || !this.workerId || this.tickDelayed !== undefined) return;
    if (this.ticking !== undefined) {
      this.tickAgain = true;
      return;
    }
    const wait = this.lastTickEnd + MIN_PASS_GAP_MS - Date.now();
    if (wait > 0) {
      this.tickDelayed = setTimeout(() => {
        this.tickDelayed = undefined;
        this.tick();
      }, wait);
      return;
    }
    this.ticking = this.claimAndWatch()
      .catch((error: unknown) => {
        if (!this.stopping) this.log('warn', 'claim/watch failed', { error: String(error) });
      })
      .finally(() => {
        this.ticking = undefined;
        this.lastTickEnd = Date.now();
        if (this.tickAgain) {
          this.tickAgain = false;
          this.tick();
        }
      });
  }

  private async claimAndWatch(): Promise<void> {
    const { db } = this.options;
    const claimed = await claimShares(db, this.workerId);
    for (const row of claimed) this.launch(row);
    if (this.executions.size === 0) return;
    const caseRunIds = [...new Set([...this.executions.values()].map((e) => e.share.caseRunId))];
    const rows = await watchShares(db, caseRunIds);
    const byKey = new Map(rows.map((r) => [`${r.case_run_id}/${r.share_index}`, r]));
    for (const execution of this.executions.values()) {
      const row = byKey.get(execution.key);
      if (row === undefined || row.worker_id !== this.workerId || row.status !== RunStatus.Running) {
        execution.stop(row?.status === RunStatus.Stopping && row.worker_id === this.workerId ? 'stopped' : 'lost');
        continue;
      }
      const target = targetOf(row.target);
      if (target !== undefined) execution.setTarget(target);
    }
  }

  private launch(row: ClaimRow): void {
    const share: ClaimedShare = {
      caseRunId: row.case_run_id,
      shareIndex: row.share_index,
      shareCount: row.share_count,
      input: row.input,
      startAt: new Date(row.start_at).getTime(),
      target: targetOf(row.target),
    };
    const execution = new ShareExecution(
      {
        db: this.options.db,
        workerId: this.workerId,
        threads: this.options.threads,
        writer: this.writer,
        log: this.log,
        engine: this.options.engine,
        coordination: (caseRunId, index, count) => this.rendezvous.coordination(caseRunId, index, count),
        pool: this.pool,
        watchSteps: (claimed, prepared, apply) => this.watchSteps(claimed, prepared, apply),
      },
      share,
    );
    this.executions.set(execution.key, execution);
    void execution.ended.then(() => {
      this.executions.delete(execution.key);
      this.dispatcher.poke();
    });
    void execution.start();
  }

  /** The run-wide steps of a share's case run (one feed per case run on this worker). */
  private watchSteps(share: ClaimedShare, prepared: PreparedCase, apply: (steps: readonly StepResult[]) => void): StepWatch | undefined {
    let feed = this.feeds.get(share.caseRunId);
    if (feed === undefined) {
      feed = StepPoller.for(this.options.db, share.caseRunId, share.shareCount, prepared, share.startAt, this.log);
      if (feed === undefined) return undefined;
      this.feeds.set(share.caseRunId, feed);
    }
    const owner = feed;
    const watch = owner.watch(apply);
    return {
      get current() {
        return watch.current;
      },
      release: () => {
        watch.release();
        if (owner.size === 0 && this.feeds.get(share.caseRunId) === owner) this.feeds.delete(share.caseRunId);
      },
    };
  }
}

function targetOf(target: CaseRunTarget | null): number | undefined {
  const value = target?.value;
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}
