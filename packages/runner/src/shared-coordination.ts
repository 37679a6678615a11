/**
 * Run-wide coordination for a case run split over several workers (the engine's Coordination, made
 * to span processes through Postgres):
 *  - rendezvous: arrivals are counted in the `rendezvous` table; the arrival that completes the
 *    round, or a worker whose first waiter has waited `timeoutMs`, bumps the round's generation and
 *    notifies RENDEZVOUS_CHANNEL, on which every worker releases its waiters of that round together;
 *  - throttle: each of the `count` shares takes `rps / count` of the run-wide token rate;
 *  - cursors: this share's k-th value is `k * count + index`, so values are unique run-wide and every
 *    share walks the list in step with the others.
 * A case run on one share (the embedded worker, or a single worker) stays in memory
 * (LocalCoordination): nothing to agree on with anyone.
 */
import { LocalCoordination, WaitingGroup, type Coordination } from '@perftest/engine';
import type { Database, Unlisten } from '@perftest/store';
import { SILENT_LOG, type RunnerLog } from './log.js';

/** The NOTIFY channel on which a finished rendezvous round is announced. */
export const RENDEZVOUS_CHANNEL = 'perftest_rendezvous';

/** How many released rounds are remembered. */
const RELEASED_KEPT = 1_000;

/** Routes rendezvous releases to the case runs of this worker; one LISTEN per process. */
export class RendezvousHub {
  /** Local waiters of one round of one point, by round id. */
  private readonly rounds = new Map<string, WaitingGroup>();
  /** Rounds released lately: an arrival whose count came back after its round's release passes. */
  private readonly released = new Set<string>();
  private unlisten: Unlisten | undefined;

  constructor(
    private readonly db: Database,
    private readonly log: RunnerLog = SILENT_LOG,
  ) {}

  /** Listens for released rounds. */
  async start(): Promise<void> {
    this.unlisten = await this.db.listen(RENDEZVOUS_CHANNEL, (payload) => this.releaseLocal(payload));
  }

  /** Stops listening. */
  async stop(): Promise<void> {
    await this.unlisten?.().catch(() => undefined);
  }

  /** The coordination of share `index` of `count` of case run `caseRunId`. */
  coordination(caseRunId: number, index: number, count: number): Coordination {
    const local = new LocalCoordination();
    if (count <= 1) return local;
    return {
      next: (key) => local.next(key) * count + index,
      throttle: (key, rps, signal) => local.throttle(key, rps / count, signal),
      rendezvous: (key, users, timeoutMs, signal) => this.arrive(caseRunId, key, users, timeoutMs, signal),
    };
  }

  private async arrive(caseRunId: number, key: string, users: number, timeoutMs: number, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return;
    let counted: { generation: number; arrived: number };
    try {
      [counted] = await this.db.query<{ generation: number; arrived: number }>(
        `insert into rendezvous(case_run_id, key, arrived) values ($1, $2, 1)
         on conflict (case_run_id, key) do update set arrived = rendezvous.arrived + 1
         returning generation, arrived`,
        [caseRunId, key],
      );
    } catch (error) {
      this.log('warn', 'rendezvous arrival not counted: passing through', { caseRun: caseRunId, key, error: String(error) });
      return;
    }
    const id = roundId(caseRunId, counted.generation, key);
    const wait = this.join(id, signal);
    const round = this.rounds.get(id);
    if (counted.arrived >= users) {
      void this.finishRound(caseRunId, key, counted.generation);
    } else if (round !== undefined && round.timer === undefined && timeoutMs > 0) {
      round.timer = setTimeout(() => void this.finishRound(caseRunId, key, counted.generation), timeoutMs);
    }
    return wait;
  }

  private join(id: string, signal: AbortSignal): Promise<void> {
    if (this.released.has(id)) return Promise.resolve();
    let round = this.rounds.get(id);
    if (round === undefined) {
      round = new WaitingGroup();
      this.rounds.set(id, round);
    }
    return round.wait(signal);
  }

  /** Ends round `generation` run-wide (once: the generation moves on) and tells every worker. */
  private async finishRound(caseRunId: number, key: string, generation: number): Promise<void> {
    try {
      await this.db.transaction(async (tx) => {
        const bumped = await tx.query(
          `update rendezvous set generation = generation + 1, arrived = 0
            where case_run_id = $1 and key = $2 and generation = $3 returning 1`,
          [caseRunId, key, generation],
        );
        if (bumped.length > 0) await tx.query('select pg_notify($1, $2)', [RENDEZVOUS_CHANNEL, roundId(caseRunId, generation, key)]);
      });
    } catch (error) {
      this.log('warn', 'rendezvous round not released run-wide: releasing here', { caseRun: caseRunId, key, error: String(error) });
    }
    // Released here at once; the notification releases the other workers (and is a no-op here).
    this.releaseLocal(roundId(caseRunId, generation, key));
  }

  private releaseLocal(id: string): void {
    this.released.add(id);
    if (this.released.size > RELEASED_KEPT) this.released.delete(this.released.values().next().value as string);
    const round = this.rounds.get(id);
    if (round === undefined) return;
    this.rounds.delete(id);
    round.release();
  }
}

/** `caseRunId|generation|key`: one round of one point. */
function roundId(caseRunId: number, generation: number, key: string): string {
  return `${caseRunId}|${generation}|${key}`;
}
