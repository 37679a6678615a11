/**
 * One case run spread over N engine threads with piscina: one long task per thread, each running its
 * share (share.child(i, N)) and talking to this main thread over its own MessagePort. The main thread
 * merges the threads' intervals of each second into one, serves their coordination calls from the
 * run-wide Coordination, and sends intelligent-peak steps back: computed from the merged data, or,
 * with `externalSteps`, the ones its caller computed over every worker (setSteps).
 * The threads come from the caller's warm EnginePool, else from a pool of the run's own.
 */
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import type { IntervalMessage, ThreadCommand, ThreadEvent, ThreadRunOptions } from '@perftest/model';
import type { StagePlan } from '../pressure/stage-plan.js';
import type { Coordination, StepResult } from '../types.js';
import { epochMs } from './clock.js';
import { CoordinationHost } from './coordination-host.js';
import { EnginePool } from './engine-pool.js';
import { IntervalMerger } from './interval-merger.js';
import type { RunInput } from './prepare.js';
import type { Share } from './share.js';
import { StepTracker } from '../pressure/intelligent/step-tracker.js';

/** What a threaded run is started with. */
export interface ThreadedRunOptions {
  input: RunInput;
  plan: StagePlan;
  threads: number;
  share: Share;
  /** Epoch ms for stage 0, or undefined to start as soon as every thread is up. */
  startAt: number | undefined;
  options: ThreadRunOptions;
  coordination: Coordination;
  onInterval(interval: IntervalMessage): void;
  /** Intelligent-peak steps finished, over the whole run. */
  onSteps?(steps: readonly StepResult[]): void;
  /** Steps come from the caller (setSteps) instead of this process's merged intervals. */
  externalSteps?: boolean;
  /** Warm threads to run on (kept open); default: a pool of the run's own, closed at its end. */
  pool?: EnginePool;
}

/** A run on threads. */
export interface ThreadedRun {
  /** Resolves with the epoch ms at which stage 0 starts once every thread is up (NaN if the run ended first). */
  readonly started: Promise<number>;
  /** Resolves when every thread has ended and the last merged interval was emitted. */
  readonly done: Promise<void>;
  setTarget(value: number): void;
  /** Finished steps of the running mode-7 stage, for every thread (with `externalSteps`). */
  setSteps(steps: readonly StepResult[]): void;
  stop(): Promise<void>;
}

/** How far ahead of now a manual change is announced, so every thread applies it at the same instant (ms). */
const ANNOUNCE_MS = 50;
/**
 * How far ahead of now stage 0 starts when the caller gave no instant (ms): each thread compiles the
 * case after its start message, and a thread that begins later than the start wait (open-model.ts)
 * would skip the starts it missed.
 */
const START_MARGIN_MS = 300;

/** Starts a run on `threads` piscina threads. */
export function runOnThreads(opts: ThreadedRunOptions): ThreadedRun {
  const { threads } = opts;
  if (!Number.isInteger(threads) || threads < 1) throw new Error('options.threads must be a positive integer');
  const pool = opts.pool ?? EnginePool.forRun(threads);
  const ports: MessagePort[] = [];
  const hosts: CoordinationHost[] = [];
  const tasks: Array<Promise<void>> = [];
  /** Each thread's end: its `done` or `error` message (which follows its last interval), or its crash. */
  const threadEnded: Array<() => void> = [];
  const ends = Array.from({ length: threads }, (_, i) => new Promise<void>((resolve) => (threadEnded[i] = resolve)));
  const merger = new IntervalMerger(threads, (interval) => onMerged(interval));
  const tracker = new StepTracker(opts.plan);
  let ready = 0;
  let ended = 0;
  let failure: Error | undefined;
  let stopping = false;
  let startAt = Number.NaN;
  /** A manual target set before the threads were up, sent right after their start. */
  let pendingTarget: number | undefined;
  /** External steps set before the threads were up, sent right after their start. */
  let pendingSteps: readonly StepResult[] | undefined;
  let settleStarted!: (at: number) => void;
  let settleDone!: () => void;
  let failDone!: (error: Error) => void;
  const started = new Promise<number>((resolve) => (settleStarted = resolve));
  const done = new Promise<void>((resolve, reject) => {
    settleDone = resolve;
    failDone = reject;
  });
  // A run that fails or is stopped before it started must not leave `started` pending forever.
  done.then(
    () => settleStarted(Number.NaN),
    () => settleStarted(Number.NaN),
  );

  const broadcast = (command: ThreadCommand): void => {
    for (const port of ports) port.postMessage(command);
  };

  const onMerged = (interval: IntervalMessage): void => {
    opts.onInterval(interval);
    if (opts.externalSteps) return;
    const planned = opts.plan.stages.find((s) => s.stageIndex === interval.stage);
    const stageStart = planned !== undefined && Number.isFinite(planned.start) ? startAt + planned.start * 1000 : undefined;
    const steps = tracker.add(interval, stageStart);
    if (steps !== undefined) {
      broadcast({ type: 'steps', steps: [...steps] });
      opts.onSteps?.(tracker.all);
    }
  };

  const startAll = (): void => {
    startAt = opts.startAt ?? epochMs() + START_MARGIN_MS;
    ports.forEach((port, i) =>
      port.postMessage({
        type: 'start',
        case: opts.input.case,
        variables: [...(opts.input.variables ?? [])],
        transactions: [...(opts.input.transactions ?? [])],
        share: [...opts.share.child(i, threads).levels],
        startAt,
        options: opts.options,
        coordinationBuffer: hosts[i].buffer,
      } satisfies ThreadCommand),
    );
    settleStarted(startAt);
    if (pendingTarget !== undefined) broadcast({ type: 'setTarget', value: pendingTarget, at: startAt });
    if (pendingSteps !== undefined) broadcast({ type: 'steps', steps: [...pendingSteps] });
  };

  const onEvent = (thread: number, event: ThreadEvent): void => {
    switch (event.type) {
      case 'ready':
        if (++ready === threads) {
          if (stopping) broadcast({ type: 'stop' });
          else startAll();
        }
        return;
      case 'interval':
        return merger.add(thread, event);
      case 'done':
        merger.finish(thread);
        return threadEnded[thread]();
      case 'error':
        failure ??= Object.assign(new Error(event.message), event.stack ? { stack: event.stack } : {});
        merger.finish(thread);
        threadEnded[thread]();
        if (!stopping) void stop();
        return;
      case 'rendezvous':
      case 'throttle':
      case 'cancel':
      case 'next':
        return hosts[thread].handle(event);
      default: {
        const never: never = event;
        throw new Error(`unknown thread event ${(never as { type: string }).type}`);
      }
    }
  };

  for (let i = 0; i < threads; i++) {
    const { port1, port2 } = new MessageChannel();
    ports.push(port1);
    hosts.push(
      new CoordinationHost(opts.coordination, port1, CoordinationHost.createBuffer(), (error) => {
        failure ??= error instanceof Error ? error : new Error(String(error));
      }),
    );
    port1.on('message', (event: ThreadEvent) => onEvent(i, event));
    tasks.push(
      pool.run(port2).then(
        // The task's result may overtake the port's last messages: give them a moment.
        () => void setTimeout(threadEnded[i], 1_000).unref(),
        (error: unknown) => {
          failure ??= error instanceof Error ? error : new Error(String(error));
          merger.finish(i);
          threadEnded[i]();
          if (!stopping) void stop();
        },
      ),
    );
  }

  void Promise.all(ends).then(async () => {
    await Promise.allSettled(tasks);
    merger.flush();
    for (const host of hosts) host.close();
    for (const port of ports) port.close();
    if (opts.pool === undefined) await pool.close();
    ended = threads;
    if (failure !== undefined) failDone(failure);
    else settleDone();
  });

  async function stop(): Promise<void> {
    stopping = true;
    if (ready === threads) broadcast({ type: 'stop' });
    await done.catch(() => undefined);
  }

  return {
    started,
    done,
    setTarget(value: number): void {
      if (ended === threads || stopping) return;
      if (Number.isNaN(startAt)) {
        pendingTarget = value;
        return;
      }
      broadcast({ type: 'setTarget', value, at: Math.max(epochMs() + ANNOUNCE_MS, startAt || 0) });
    },
    setSteps(steps: readonly StepResult[]): void {
      if (ended === threads || stopping) return;
      if (Number.isNaN(startAt)) pendingSteps = steps;
      else broadcast({ type: 'steps', steps: [...steps] });
    },
    stop,
  };
}
