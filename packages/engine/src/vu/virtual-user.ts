/**
 * A virtual user: executes a compiled plan (compile/plan.ts) node by node. Requests record their
 * last attempt; an iteration records success only if all its requests succeeded, with RT the sum of
 * theirs. Failures of the target are results, never exceptions. A halt of the session (a stop, or
 * the plan's end: docs/run-lifecycle.md#stop) starts no further request and ends sleeps and waits at
 * once, while the request in flight completes and is recorded; an abort of the session's signal (the
 * grace is over) ends that request, which is counted as aborted, not recorded. A pass cut short by
 * either is not recorded as an iteration (its completed requests are).
 */
import { performance } from 'node:perf_hooks';
import type { Outcome } from '@perftest/model';
import type { ProtocolDriver, RequestResult, UserSession } from '../protocols/driver.js';
import type { Coordination, PassGate, Recorder, UserEnv, VirtualUser } from '../types.js';
import { checkpointFailure } from '../compile/checkpoint.js';
import { runAssignments } from '../compile/data-instruction.js';
import { applyExtractions } from '../compile/extraction.js';
import type { GlobalVariables } from '../compile/global-variables.js';
import type { ConditionNode, PacketStep, Plan, PlanNode } from '../compile/plan.js';
import { ResponseView } from './response-view.js';
import { UserVariables } from './scope.js';
import { Sleeper } from './sleeper.js';

/** What a user needs from its compiled case besides its env. */
export interface UserPlan {
  readonly plan: Plan;
  readonly globals: GlobalVariables;
  /** Drivers in use, for closing the user's sessions. */
  drivers(): Iterable<ProtocolDriver>;
}

const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A driver must not reject; if one does anyway, the request is counted, not lost. */
function driverFailure(err: unknown): RequestResult {
  const error = err instanceof Error ? `driver error: ${err.message}` : `driver error: ${String(err)}`;
  return { outcome: 'othersFailed', status: 0, responseTimeUs: 0, sentBytes: 0, recBytes: 0, error };
}

/** The virtual user of a compiled case. */
export class PlanUser implements VirtualUser {
  private readonly session: UserSession;
  private readonly recorder: Recorder;
  private readonly coordination: Coordination;
  private readonly onDebug: UserEnv['onDebug'];
  private readonly vars: UserVariables;
  private readonly sleeper: Sleeper;
  /** Aborted when the run halts (the session's `halt`, else its `signal`). */
  private readonly halt: AbortSignal;
  /** The current pass was cut short by a halt or an abort. */
  private cut = false;
  private readonly view = new ResponseView();
  private recording = false;
  /** Requests executed (recorded or not) in the current pass. */
  private requests = 0;
  private iterationOk = true;
  private iterationOutcome: Outcome = 'success';
  private iterationStatus = 0;
  private iterationRtUs = 0;
  private iterationSent = 0;
  private iterationReceived = 0;
  private pendingLateUs = 0;

  constructor(
    private readonly compiled: UserPlan,
    env: UserEnv,
  ) {
    this.session = env.session;
    this.recorder = env.recorder;
    this.coordination = env.coordination;
    this.onDebug = env.onDebug;
    this.vars = new UserVariables(compiled.globals.createReader(env.coordination));
    this.halt = env.session.halt ?? env.session.signal;
    this.sleeper = new Sleeper(this.halt);
  }

  async setup(): Promise<void> {
    this.recording = false;
    await this.run(this.compiled.plan.setup);
    this.view.clear();
  }

  /**
   * One pass over the case. Not an async function of its own: the pass's end is recorded by run()
   * (its `pass` argument), so each request resumes one async frame fewer.
   */
  iterate(lateUs = 0): Promise<void> {
    this.beginPass(lateUs);
    return this.run(this.compiled.plan.contents, true);
  }

  iterateWhile(gate: PassGate): Promise<void> {
    if (!gate.open()) return Promise.resolve();
    this.beginPass(0);
    return this.run(this.compiled.plan.contents, true, gate);
  }

  private beginPass(lateUs: number): void {
    this.recording = true;
    this.requests = 0;
    this.iterationOk = true;
    this.iterationOutcome = 'success';
    this.iterationStatus = 0;
    this.iterationRtUs = 0;
    this.iterationSent = 0;
    this.iterationReceived = 0;
    this.pendingLateUs = lateUs > 0 ? Math.round(lateUs) : 0;
    this.cut = false;
  }

  /** Ends a pass: records it as an iteration unless it was cut short; true when it sent nothing. */
  private endPass(): boolean {
    this.recording = false;
    this.view.clear();
    if (this.cut || this.session.signal.aborted) return false;
    this.recorder.iteration({
      ok: this.iterationOk,
      outcome: this.iterationOutcome,
      status: this.iterationStatus,
      responseTimeUs: this.iterationRtUs + this.pendingLateUs,
      sentBytes: this.iterationSent,
      recBytes: this.iterationReceived,
    });
    return this.requests === 0;
  }

  async close(): Promise<void> {
    this.sleeper.dispose();
    for (const driver of this.compiled.drivers()) await driver.closeSession?.(this.session);
  }

  /**
   * Runs `nodes`; with `pass`, they are the case's contents and the pass ends here (endPass), and
   * with `gate` the next passes run here too, while it opens.
   */
  private async run(nodes: readonly PlanNode[], pass = false, gate?: PassGate): Promise<void> {
    const halt = this.halt;
    for (;;) {
      walk: for (let i = 0; i < nodes.length; i++) {
        if (halt.aborted) {
          this.cut = true;
          break;
        }
        const node = nodes[i];
        switch (node.kind) {
          case 'request': {
            // a request card: packets in order; a think time paces from the start of the previous packet
            const steps = node.steps;
            // only a think time after a packet reads the packet's start
            const paced = steps.length > 1;
            let lastStart = -1;
            for (let k = 0; k < steps.length; k++) {
              if (halt.aborted) {
                this.cut = true;
                break walk;
              }
              const step = steps[k];
              if (step.kind === 'think') {
                const elapsed = lastStart < 0 ? 0 : performance.now() - lastStart;
                if (step.ms > elapsed) await this.sleeper.sleep(step.ms - elapsed);
                continue;
              }
              if (paced) lastStart = performance.now();
              if (step.retryTimes > 0) {
                await this.runRetried(step);
                continue;
              }
              const session = this.session;
              session.keepResponse = step.needsResponse || this.onDebug !== undefined;
              this.requests++;
              if (this.recording) this.recorder.begin?.(step.card.key);
              let result: RequestResult;
              try {
                result = await step.request.execute(session, this.vars);
              } catch (err) {
                result = driverFailure(err);
              }
              if (session.signal.aborted) {
                this.abandon(step);
                break walk;
              }
              this.judge(step, result);
              this.onDebug?.(step.card.key, result);
              this.record(step, result);
            }
            break;
          }
          case 'data':
            runAssignments(node.assignments, this.vars);
            break;
          case 'loop':
            for (let k = 0; k < node.count && !this.cut; k++) await this.run(node.body);
            break;
          case 'condition':
            if (this.holds(node)) await this.run(node.body);
            break;
          case 'weights': {
            const branch = node.random ? node.table.draw() : node.table.forUser(this.session.userIndex);
            await this.run(node.branches[branch]);
            break;
          }
          case 'throughput':
            await this.coordination.throttle(node.key, node.rps, halt);
            await this.run(node.body);
            break;
          case 'rendezvous':
            await this.coordination.rendezvous(node.key, node.users, node.timeoutMs, halt);
            break;
        }
      }
      if (!pass) return;
      // A pass that sent nothing (conditions all false) must still let timers and I/O run.
      if (this.endPass()) await yieldToLoop();
      if (gate === undefined) return;
      gate.passed();
      if (!gate.open()) return;
      this.beginPass(0);
    }
  }

  private holds(node: ConditionNode): boolean {
    const { conditions, any } = node;
    for (let i = 0; i < conditions.length; i++) {
      const c = conditions[i];
      const ok = c.comparison.test(c.left.render(this.vars), this.vars);
      if (ok && any) return true;
      if (!ok && !any) return false;
    }
    return !any;
  }

  /** The request in flight was aborted (the grace after a halt is over): counted, not recorded. */
  private abandon(step: PacketStep): void {
    this.cut = true;
    if (this.recording) this.recorder.aborted?.(step.card.key);
  }

  /**
   * One packet with its retries; only the last attempt is recorded. A halt makes no further
   * attempt: the last one made is recorded.
   */
  private async runRetried(step: PacketStep): Promise<void> {
    const session = this.session;
    session.keepResponse = step.needsResponse || this.onDebug !== undefined;
    this.requests++;
    if (this.recording) this.recorder.begin?.(step.card.key);
    for (let attempt = 0; ; attempt++) {
      let result: RequestResult;
      try {
        result = await step.request.execute(session, this.vars);
      } catch (err) {
        result = driverFailure(err);
      }
      if (session.signal.aborted) return this.abandon(step);
      this.judge(step, result);
      this.onDebug?.(step.card.key, result);
      if (result.outcome === 'success' || attempt >= step.retryTimes || this.halt.aborted) return this.record(step, result);
      if (step.retryIntervalMs > 0) await this.sleeper.sleep(step.retryIntervalMs);
      if (this.halt.aborted) return this.record(step, result);
    }
  }

  /** Applies the packet's checkpoints and extractions to the driver's result. */
  private judge(step: PacketStep, result: RequestResult): void {
    const responded = result.outcome === 'success' || result.outcome === 'checkPointFailed';
    if (step.checkpoints.length === 0 && step.extractions.length === 0) return;
    this.view.reset(result);
    if (responded && step.checkpoints.length > 0) {
      let failure: string | undefined;
      for (let i = 0; i < step.checkpoints.length && failure === undefined; i++) {
        failure = checkpointFailure(step.checkpoints[i], this.view, this.vars);
      }
      if (failure === undefined) {
        result.outcome = 'success';
        result.error = undefined;
      } else {
        result.outcome = 'checkPointFailed';
        result.error = failure;
      }
    }
    if (step.extractions.length > 0) {
      const failure = applyExtractions(step.extractions, responded ? this.view : null, this.vars);
      if (failure !== undefined && result.outcome === 'success') {
        result.outcome = 'checkPointFailed';
        result.error = failure;
      }
    }
  }

  private record(step: PacketStep, result: RequestResult): void {
    if (!this.recording) return;
    if (this.pendingLateUs > 0) {
      result.responseTimeUs += this.pendingLateUs;
      this.pendingLateUs = 0;
    }
    this.recorder.request(step.card.key, result);
    this.iterationRtUs += result.responseTimeUs;
    this.iterationSent += result.sentBytes;
    this.iterationReceived += result.recBytes;
    this.iterationStatus = result.status;
    if (this.iterationOk && result.outcome !== 'success') {
      this.iterationOk = false;
      this.iterationOutcome = result.outcome;
    }
  }
}
