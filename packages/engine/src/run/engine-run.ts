/**
 * The public entry of the engine for running one case: compiles it (rejecting with every problem
 * before anything starts), then runs it on this thread (threads = 1) or on a piscina pool, emitting
 * one merged IntervalMessage per second and resolving with the run's summary.
 */
import type { CardInfo, CaseInfoDetail, IntervalMessage, ShareLevel, ThreadRunOptions, Transaction, VariableDetail } from '@perftest/model';
import { LocalCoordination } from '../coordination/local.js';
import { DEFAULT_ENGINE_OPTIONS } from '../protocols/driver.js';
import type { Coordination, StepResult } from '../types.js';
import { CaseRunner } from './case-runner.js';
import { epochMs } from './clock.js';
import type { EnginePool } from './engine-pool.js';
import { runOnThreads } from './pool.js';
import { CaseProblemsError, prepareRun } from './prepare.js';
import { RunTotals, type RunSummary } from './run-summary.js';
import { Share } from './share.js';

/** Options of a run beyond the case; every field has a default. */
export interface RunOptions {
  /** Verify TLS certificates (default true; the CLI's --insecure turns it off). */
  tlsVerify?: boolean;
  debugBodyLimit?: number;
  /** How long in-flight iterations may take to finish after the last stage (ms, default 5000). */
  gracefulStopMs?: number;
  /** How long a TPS start may wait for a free user before it is dropped (ms, default 200). */
  startWaitMs?: number;
  /** Epoch ms at which stage 0 starts (distributed runs agree on it); default: as soon as possible. */
  startAt?: number;
}

/** What startRun needs. */
export interface StartRunOptions {
  case: CaseInfoDetail;
  variables?: readonly VariableDetail[];
  transactions?: readonly Transaction[];
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
}

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
  /** Stops at once; resolves when the run has ended (`done` then holds the summary). */
  stop(): Promise<void>;
  /** The summary once the run ended; rejects when the engine failed. */
  readonly done: Promise<RunSummary>;
}

/** Default scheduling options. */
export const DEFAULT_RUN_OPTIONS = { gracefulStopMs: 5_000, startWaitMs: 200 } as const;

/** Compiles and starts a case run; rejects with CaseProblemsError when the case cannot run. */
export async function startRun(opts: StartRunOptions): Promise<EngineRun> {
  const threads = opts.threads ?? 1;
  if (!Number.isInteger(threads) || threads < 1) throw new Error('options.threads must be a positive integer');
  const levels = opts.share === undefined ? [] : Array.isArray(opts.share) ? opts.share : [opts.share as ShareLevel];
  const share = new Share(levels);
  const options: ThreadRunOptions = {
    tlsVerify: opts.options?.tlsVerify ?? DEFAULT_ENGINE_OPTIONS.tlsVerify,
    debugBodyLimit: opts.options?.debugBodyLimit ?? DEFAULT_ENGINE_OPTIONS.debugBodyLimit,
    gracefulStopMs: opts.options?.gracefulStopMs ?? DEFAULT_RUN_OPTIONS.gracefulStopMs,
    startWaitMs: opts.options?.startWaitMs ?? DEFAULT_RUN_OPTIONS.startWaitMs,
  };
  const input = { case: opts.case, variables: opts.variables, transactions: opts.transactions };
  const prepared = prepareRun(input, { tlsVerify: options.tlsVerify, debugBodyLimit: options.debugBodyLimit });
  if (!prepared.ok) throw new CaseProblemsError(prepared.problems);
  const { compiled, plan } = prepared;
  const cards = [...compiled.cards];
  const coordination = opts.coordination ?? new LocalCoordination();
  const totals = new RunTotals(cards);
  let steps: readonly StepResult[] = [];
  let callbackError: unknown;
  const onInterval = (interval: IntervalMessage): void => {
    totals.add(interval);
    try {
      opts.onInterval(interval);
    } catch (error) {
      callbackError ??= error;
      void run.stop();
    }
  };
  const onSteps = (all: readonly StepResult[]): void => {
    steps = all;
    opts.onSteps?.(all);
  };

  let run: { stop(): Promise<void>; setTarget(value: number): void; setSteps(steps: readonly StepResult[]): void };
  let finished: Promise<'finished' | 'stopped'>;
  let startedAt: Promise<number>;
  if (threads === 1) {
    const startAt = opts.options?.startAt ?? epochMs();
    const externalSteps = opts.externalSteps ?? false;
    const runner = new CaseRunner({ compiled, plan, share, startAt, coordination, options, onInterval, onSteps, externalSteps });
    runner.start();
    run = { stop: () => runner.stop(), setTarget: (value) => runner.setTarget(value), setSteps: (all) => runner.setSteps(all) };
    finished = runner.done.finally(() => compiled.close());
    startedAt = Promise.resolve(startAt);
  } else {
    await compiled.close();
    let stopped = false;
    const threaded = runOnThreads({
      input,
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
      stop: async () => {
        stopped = true;
        await threaded.stop();
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
    stop: async () => {
      await run.stop();
      await done.catch(() => undefined);
    },
    done,
  };
}
