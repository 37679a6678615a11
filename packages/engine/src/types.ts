/**
 * The contracts between the engine's parts: pressure modes (pressure/), the compiled case and its
 * virtual users (compile/, vu/), metrics recording (metrics/) and run orchestration (run/).
 * Protocol drivers have theirs in protocols/driver.ts.
 */
import type { CardInfo, TestCaseStage, PressureMode } from '@perftest/model';
import type { CaseProblem, RequestResult, UserSession } from './protocols/driver.js';

export type { CaseProblem };

/** Whether a mode's target is a number of virtual users (closed model) or iterations per second (open). */
export type LoadKind = 'users' | 'tps';

/** Results of one finished step of intelligent high pressure (mode 7), for knee detection. */
export interface StepResult {
  step: number;
  users: number;
  requests: number;
  successRate: number;
  rps: number;
}

/** One `pressure_mode`: a pure function of time (and, for mode 7, of finished steps) to a target. */
export interface PressureModeImpl {
  readonly mode: PressureMode;
  readonly kind: LoadKind;
  /** Pushes every problem of the stage's fields (path like "stages[0].ramp_up"). */
  validate(stage: TestCaseStage, path: string, problems: CaseProblem[]): void;
  /** Seconds the stage lasts when run by duration. */
  duration(stage: TestCaseStage): number;
  /** Target users or TPS at `t` seconds since the stage started (fractional t allowed). */
  target(stage: TestCaseStage, t: number, steps?: readonly StepResult[]): number;
  /** Ceiling of concurrent users the stage may need (size of the user pool in TPS modes). */
  maxUsers(stage: TestCaseStage): number;
}

/** Records what virtual users do. One recorder per thread; it emits one interval per second. */
export interface Recorder {
  /** A request of card `cardKey` finished (the last attempt only, when checkpoints retry). */
  request(cardKey: string, result: RequestResult): void;
  /**
   * An iteration finished: success only if all its requests succeeded; `responseTimeUs` is the sum
   * of its requests' response times (plus its start delay in TPS modes).
   */
  iteration(result: IterationResult): void;
  /** A request of card `cardKey` is about to be sent (recorders that count requests in flight). */
  begin?(cardKey: string): void;
  /** A request of card `cardKey` sent before a stop was aborted in flight: not completed, not recorded. */
  aborted?(cardKey: string): void;
}

/** The outcome of one pass over a case's contents. */
export interface IterationResult {
  ok: boolean;
  /** The outcome of the first failed request, or 'success'. */
  outcome: RequestResult['outcome'];
  /** Status of the last request (for status-class counts of the case row). */
  status: number;
  responseTimeUs: number;
  sentBytes: number;
  recBytes: number;
}

/**
 * Run-wide coordination: rendezvous, throughput caps and shared variable cursors must span threads
 * (and, through the worker, processes). A local implementation serves one process.
 */
export interface Coordination {
  /** Resolves when `users` users have arrived at rendezvous `key` or `timeoutMs` passed. */
  rendezvous(key: string, users: number, timeoutMs: number, signal: AbortSignal): Promise<void>;
  /** Resolves when the shared token bucket `key` (refilled at `rps` per second) grants one token. */
  throttle(key: string, rps: number, signal: AbortSignal): Promise<void>;
  /** Next value of the shared cursor `key` (0, 1, 2, ...), for sequential variables shared per case. */
  next(key: string): number;
}

/** Everything a virtual user is created with. */
export interface UserEnv {
  session: UserSession;
  recorder: Recorder;
  coordination: Coordination;
  /** Called for every request result in debug runs (all attempts, with bodies). */
  onDebug?: (cardKey: string, result: RequestResult) => void;
}

/** What lets a user start its next pass (the closed model's loop, run/closed-model.ts). */
export interface PassGate {
  /** Whether a pass may start now; when true, it is counted as started. */
  open(): boolean;
  /** The pass that open() allowed has ended. */
  passed(): void;
}

/** One virtual user of a compiled case. */
export interface VirtualUser {
  /** Runs `setup_contents` once (not recorded in statistics). */
  setup(): Promise<void>;
  /**
   * One pass over `contents`. `lateUs` is how late the pass started compared to its intended start
   * (TPS modes, coordinated omission): it is added to the first request's and the iteration's RT.
   * Never rejects because of the target; resolves early when the session's signal aborts.
   */
  iterate(lateUs?: number): Promise<void>;
  /**
   * Passes back to back (the closed model) while `gate` opens, as iterate() in a loop would, but
   * in one async frame: each request resumes one frame fewer. Resolves once the gate stays shut.
   */
  iterateWhile?(gate: PassGate): Promise<void>;
  /** Closes the user's connections. */
  close(): Promise<void>;
}

/** A case compiled once before the run: its request cards, stages and a factory of virtual users. */
export interface CompiledCase {
  readonly name: string;
  readonly cards: readonly CardInfo[];
  /** The packets of `setup_contents` (not recorded; named here for debug output). */
  readonly setupCards?: readonly CardInfo[];
  readonly stages: readonly TestCaseStage[];
  createUser(env: UserEnv): VirtualUser;
  /** Closes run-wide driver resources. */
  close(): Promise<void>;
}

