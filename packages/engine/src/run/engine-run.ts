/**
 * The public entry of the engine for running one case: takes the case run's prepared case (or
 * prepares a raw case once, rejecting with every problem before anything starts), then runs it on
 * this thread (threads = 1, compiled here) or on a piscina pool (each thread compiles its own users
 * from the prepared case; this thread compiles nothing), emitting one merged IntervalMessage per
 * second and resolving with the run's summary.
 */
import type { CardInfo, IntervalMessage, PreparedCase, ShareLevel, TargetPolicySpec, ThreadRunOptions } from '@perftest/model';
import { LocalCoordination } from '../coordination/local.js';
import { DEFAULT_TARGET_POLICY, TargetPolicy } from '../net/target-policy.js';
import { DEFAULT_ENGINE_OPTIONS } from '../protocols/driver.js';
import type { CompiledCase, Coordination, StepResult } from '../types.js';
import { CaseRunner } from './case-runner.js';
import { epochMs } from './clock.js';
import type { EnginePool } from './engine-pool.js';
import { runOnThreads } from './pool.js';
import { CaseProblemsError, compilePrepared, prepareAndCompile, preparedPlan, type RunInput } from './prepare.js';
import { RunTotals, type RunSummary } from './run-summary.js';
import { Share } from './share.js';

/** Options of a run beyond the case; every field has a default. */
export interface RunOptions {
  /** Verify TLS certificates (default true; the CLI's --insecure turns it off). */
  tlsVerify?: boolean;
  debugBodyLimit?: number;
  /** Which targets connections may go to (default: link-local and cloud metadata denied). */
  targetPolicy?: TargetPolicySpec;
  /**
   * How long requests in flight may take to complete after a halt, a stop or the last stage's end
   * (ms, default 2000; docs/run-lifecycle.md#stop).
   */
  gracefulStopMs?: number;
  /** How long a TPS start may wait for a free user before it is dropped (ms, default 200). */
  startWaitMs?: number;
  /** Epoch ms at which stage 0 starts (distributed runs agree on it); default: as soon as possible. */
  startAt?: number;
}

/** How startRun runs a case, whichever form the case comes in. */
export interface RunSettings {
  /** Engine threads of this process (default 1: the calling thread runs the case). */
  threads?: number;
  /** This process's part of a distributed run (worker `index` of `count`), or its levels. */
  share?: ShareLevel | readonly ShareLevel[];
  options?: RunOptions;
  /** Called once per second with the interval of this process (threads merged). */
  onInterval(interval: IntervalMessage): void;
  /** Called when intelligent-peak steps finish (all steps so far). */
  onSteps?(steps: readonly StepResult[]): void;
  /** Run-wide rendezvous, throttles and cursors; default: this process only. */
  coordination?: Coordination;
  /**
   * True when intelligent-peak steps are judged outside this process (over every worker of a
   * distributed run) and given with EngineRun.setSteps; default false: judged on this process's data.
   */
  externalSteps?: boolean;
  /** Warm engine threads kept by the caller (threads > 1); default: the run starts its own pool. */
  pool?: EnginePool;
  /**
   * False: `done`'s summary leaves out the per-card figures (its `cards` is empty), for a caller
   * that reads them from the intervals it stores (a worker); default true (the CLI prints them).
   */
  cardSummaries?: boolean;
}

/**
 * What startRun needs: the case run's prepared case (prepareCase, once per case run), or a raw case
 * that startRun prepares itself (one-off runs: the CLI, tests).
 */
export type StartRunOptions = RunSettings & ({ prepared: PreparedCase } | RunInput);

/** A started run. */
export interface EngineRun {
  /** Request cards of the case, for naming report rows. */
  readonly cards: readonly CardInfo[];
  /** Manual regulation: the run-wide target (users or TPS); the rest of the stage plan is discarded. */
  setTarget(value: number): void;
  /**
   * With `externalSteps`: the finished steps of the running mode-7 stage, judged over the whole run;
   * the load holds at the last good step once they show a knee. Ignored otherwise.
   */
  setSteps(steps: readonly StepResult[]): void;
  /**
   * Stops: halts (no request starts), lets requests in flight complete for the grace (none when
   * `immediate`), aborts the rest (counted as aborted); resolves when the run has ended (`done`
   * then holds the summary).
   */
  stop(immediate?: boolean): Promise<void>;
  /** The summary once the run ended; rejects when the engine failed. */
  readonly done: Promise<RunSummary>;
}

/** Default scheduling options. */
export const DEFAULT_RUN_OPTIONS = { gracefulStopMs: 2_000, startWaitMs: 200 } as const;

/** Starts a case run; rejects with CaseProblemsError when the case cannot run. */
export async function startRun(opts: StartRunOptions): Promise<EngineRun> {
  const threads = opts.threads ?? 1;
  if (!Number.isInteger(threads) || threads < 1) throw new Error('options.threads must be a positive integer');
  const levels = opts.share === undefined ? [] : Array.isArray(opts.share) ? opts.share : [opts.share as ShareLevel];
  const share = new Share(levels);
  const options: ThreadRunOptions = {
    tlsVerify: opts.options?.tlsVerify ?? DEFAULT_ENGINE_OPTIONS.tlsVerify,
    debugBodyLimit: opts.options?.debugBodyLimit ?? DEFAULT_ENGINE_OPTIONS.debugBodyLimit,
    targetPolicy: opts.options?.targetPolicy ?? DEFAULT_TARGET_POLICY,
    gracefulStopMs: opts.options?.gracefulStopMs ?? DEFAULT_RUN_OPTIONS.gracefulStopMs,
    startWaitMs: opts.options?.startWaitMs ?? DEFAULT_RUN_OPTIONS.startWaitMs,
  };
  const engineOptions = { tlsVerify: options.tlsVerify, debugBodyLimit: options.debugBodyLimit, targetPolicy: TargetPolicy.compile(options.targetPolicy) };
  let prepared: PreparedCase;
  /** The case compiled on this thread: only when this thread runs the users. */
  let compiled: CompiledCase | undefined;
  if ('prepared' in opts) {
    prepared = opts.prepared;
  } else {
    const result = prepareAndCompile(opts, engineOptions);
    if (!result.ok) throw new CaseProblemsError(result.problems);
    prepared = result.prepared;
    if (threads === 1) compiled = result.compiled;
    else await result.compiled.close();
  }
  const plan = preparedPlan(prepared);
  const cards: CardInfo[] = [...prepared.cards];
  const coordination = opts.coordination ?? new LocalCoordination();
  const totals = new RunTotals(cards, opts.cardSummaries ?? true);
  let steps: readonly StepResult[] = [];
  let callbackError: unknown;
  const onInterval = (interval: IntervalMessage): void => {
    totals.add(interval);
    try {
      opts.onInterval(interval);
    } catch (error) {
      callbackError ??= error;
      void run.stop(true);
    }
  };
  const onSteps = (all: readonly StepResult[]): void => {
    steps = all;
    opts.onSteps?.(all);
  };

  let run: { stop(immediate?: boolean): Promise<void>; setTarget(value: number): void; setSteps(steps: readonly StepResult[]): void };
  let finished: Promise<'finished' | 'stopped'>;
  let startedAt: Promise<number>;
  if (threads === 1) {
    const local = compiled ?? compilePrepared(prepared, engineOptions);
    const startAt = opts.options?.startAt ?? epochMs();
    const externalSteps = opts.externalSteps ?? false;
    const runner = new CaseRunner({ compiled: local, plan, share, startAt, coordination, options, onInterval, onSteps, externalSteps });
    runner.start();
    run = { stop: (immediate) => runner.stop(immediate), setTarget: (value) => runner.setTarget(value), setSteps: (all) => runner.setSteps(all) };
    finished = runner.done.finally(() => local.close());
    startedAt = Promise.resolve(startAt);
  } else {
    let stopped = false;
    const threaded = runOnThreads({
      prepared,
      plan,
      threads,
      share,
      startAt: opts.options?.startAt,
      options,
      coordination,
      onInterval,
      onSteps,
      externalSteps: opts.externalSteps,
      pool: opts.pool,
    });
    run = {
      stop: async (immediate) => {
        stopped = true;
        await threaded.stop(immediate);
      },
      setTarget: (value) => threaded.setTarget(value),
      setSteps: (all) => threaded.setSteps(all),
    };
    finished = threaded.done.then(() => (stopped ? 'stopped' : 'finished'));
    startedAt = threaded.started;
  }

  const done = finished.then(async (end) => {
    if (callbackError !== undefined) throw callbackError;
    const endedAt = epochMs();
    const at = await startedAt;
    return totals.summary(end, Number.isNaN(at) ? endedAt : at, endedAt, steps);
  });
  done.catch(() => undefined);
  return {
    cards,
    setTarget: (value) => run.setTarget(value),
    setSteps: (all) => {
      if (!opts.externalSteps) return;
      steps = all;
      run.setSteps(all);
    },
    stop: async (immediate) => {
      await run.stop(immediate);
      await done.catch(() => undefined);
    },
    done,
  };
}
