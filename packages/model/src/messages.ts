/**
 * What crosses between engine threads, worker processes and the API: one interval of metrics per
 * second, encoded so that intervals from any number of threads and workers merge exactly.
 */
import type { Outcome } from './enums.js';
import type { PreparedCase } from './prepared-case.js';
import type { TargetPolicySpec } from './target-policy.js';

/** Counters of one statistics cell (the case iteration, or one request card) over one interval. */
export interface StatsCounters {
  /** Requests (or, for the case cell, iterations) that completed in the interval. */
  requests: number;
  /** One counter per outcome; they sum to `requests`. */
  outcomes: Record<Outcome, number>;
  /** Responses by status class: index 0 = 1xx … 4 = 5xx. */
  statusClasses: [number, number, number, number, number];
  sentBytes: number;
  recBytes: number;
  /** Sum, minimum and maximum of response times in microseconds (min is 0 when requests is 0). */
  rtSumUs: number;
  rtMinUs: number;
  rtMaxUs: number;
}

/** A cell with its response-time histogram (HDR, microseconds, compressed base64). */
export interface EncodedStats extends StatsCounters {
  histogram: string;
  /** Why one of the interval's failed requests failed (the first), for the report's `failedReason`. */
  error?: string;
}

/** What a request card is, so that reports can name its row. Keys are stable within a run. */
export interface CardInfo {
  key: string;
  name: string;
  method: string;
  url: string;
  protocolType: number;
}

/** One second of one case run on one thread or worker. */
export interface IntervalMessage {
  type: 'interval';
  /** Unix epoch second covered by this interval. */
  second: number;
  /** Active virtual users at the end of the second. */
  users: number;
  /** Iterations started in the second, and starts dropped because no user was free (TPS modes). */
  started: number;
  dropped: number;
  /**
   * Requests sent before a stop or the plan's end and aborted in flight when the grace was over:
   * not completed, so in no card's counts (docs/run-lifecycle.md#stop). Absent: none.
   */
  aborted?: number;
  /** Index of the stage running at the end of the second. */
  stage: number;
  /** Per case iteration (transaction): succeeds only if all its requests do; RT is their sum. */
  iterations: EncodedStats;
  /** Per request card, by CardInfo.key. */
  cards: Record<string, EncodedStats>;
}

/** One stored row of `intervals`: one second of one share of a case run, as one worker wrote it. */
export interface IntervalRow {
  case_run_id: number;
  share_index: number;
  worker_id: string;
  /** Unix epoch second covered (`data.second`). */
  second: number;
  data: IntervalMessage;
}

/**
 * One entry of `case_runs.interruptions` (packages/store/src/migrations/011-run-ends.ts): a share of
 * the case run lost its worker and was resumed on another, or (`resumed` false) the run ended
 * instead. Instants are ISO-8601 UTC of the database clock. Reports leave the whole seconds during
 * which every share was interrupted out of the case run's duration.
 */
export interface Interruption {
  /** The share's index (0-based) and the case run's number of shares. */
  share: number;
  share_count: number;
  /** The worker that stopped running it, and its host. */
  worker: string;
  host: string;
  /** When that worker was last seen running it: its last heartbeat or the end of the last second it wrote. */
  from: string;
  /** When the share went to a live worker (resumed), or the run ended instead. */
  to: string;
  /** `to - from` in seconds (3 decimals). */
  seconds: number;
  /** `worker <id> on <host> stopped heartbeating`, or `... left`. */
  reason: string;
  resumed: boolean;
}

// ---------------------------------------------------------------------------------------------
// Engine threads: the main thread of a run and each piscina thread running a share of it talk over
// a MessagePort with these messages (ThreadCommand main -> thread, ThreadEvent thread -> main).

/** One level of the division of a run: this part is `index` of `count` (workers, then threads). */
export interface ShareLevel {
  index: number;
  count: number;
}

/** Run options a thread needs (the engine's EngineOptions plus scheduling knobs). */
export interface ThreadRunOptions {
  tlsVerify: boolean;
  debugBodyLimit: number;
  /** Which targets the engine may connect to (docs/security.md); compiled by each thread. */
  targetPolicy: TargetPolicySpec;
  /** How long requests in flight may take to complete after a halt (a stop or the plan's end; ms). */
  gracefulStopMs: number;
  /** How long a TPS start may wait for a free virtual user before it is dropped (ms). */
  startWaitMs: number;
}

/** Starts the thread's share of a case run. */
export interface ThreadStartMessage {
  type: 'start';
  /** The case run's prepared case: the thread compiles its own users from it, it plans nothing. */
  prepared: PreparedCase;
  share: ShareLevel[];
  /** Epoch ms at which stage 0 starts, the same for every thread and worker of the run. */
  startAt: number;
  options: ThreadRunOptions;
  /** 16 bytes for synchronous coordination answers (Int32 flag at 0, Float64 value at byte 8). */
  coordinationBuffer: SharedArrayBuffer;
}

/** Manual regulation: the run-wide target (users or TPS) from epoch ms `at` on. */
export interface ThreadSetTargetMessage {
  type: 'setTarget';
  value: number;
  at: number;
}

/**
 * Stops the run: halts it, lets requests in flight complete for the grace, then aborts the rest
 * (counted as aborted); `immediate` skips the grace (the share went to another worker).
 */
export interface ThreadStopMessage {
  type: 'stop';
  immediate?: boolean;
}

/** Finished steps of intelligent high pressure, computed from the merged intervals of every thread. */
export interface ThreadStepsMessage {
  type: 'steps';
  steps: Array<{ step: number; users: number; requests: number; successRate: number; rps: number }>;
}

/** A rendezvous or throttle wait of a thread's virtual user is over. */
export interface ThreadReleasedMessage {
  type: 'released';
  id: number;
}

/** What the main thread of a run sends to a thread. */
export type ThreadCommand =
  | ThreadStartMessage
  | ThreadSetTargetMessage
  | ThreadStopMessage
  | ThreadStepsMessage
  | ThreadReleasedMessage;

/** The thread is up and waits for its start message. */
export interface ThreadReadyMessage {
  type: 'ready';
}

/** The thread's share has ended (naturally or stopped); its last interval was sent before. */
export interface ThreadDoneMessage {
  type: 'done';
}

/** The thread failed; the run fails with this message. */
export interface ThreadErrorMessage {
  type: 'error';
  message: string;
  stack?: string;
}

/** A virtual user waits at rendezvous `key` until `users` arrived run-wide or `timeoutMs` passed. */
export interface ThreadRendezvousMessage {
  type: 'rendezvous';
  id: number;
  key: string;
  users: number;
  timeoutMs: number;
}

/** A virtual user waits for a token of the run-wide bucket `key` refilled at `rps` per second. */
export interface ThreadThrottleMessage {
  type: 'throttle';
  id: number;
  key: string;
  rps: number;
}

/** The wait `id` is abandoned (the run stops). */
export interface ThreadCancelMessage {
  type: 'cancel';
  id: number;
}

/** Asks for the next value of the run-wide cursor `key`; answered through the coordination buffer. */
export interface ThreadNextMessage {
  type: 'next';
  key: string;
}

/** What a thread sends to the main thread of its run. */
export type ThreadEvent =
  | ThreadReadyMessage
  | IntervalMessage
  | ThreadDoneMessage
  | ThreadErrorMessage
  | ThreadRendezvousMessage
  | ThreadThrottleMessage
  | ThreadCancelMessage
  | ThreadNextMessage;
