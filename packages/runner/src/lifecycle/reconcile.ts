/**
 * Moves every run forward from what the tables say, idempotently: any process that has a runner (each
 * worker, and the API's dispatcher) calls it often, so runs progress whichever of them is alive. One
 * pass runs in one transaction under an advisory lock (a process that finds it taken skips the pass:
 * another is doing the same work). A pass:
 *  1. declares dead the workers whose heartbeat is older than DEAD_AFTER_MS;
 *  2. settles stops: never-claimed shares of stopping case runs end 'stopped', waiting case runs of a
 *     stopping task run end 4;
 *  3. gives the unfinished shares of dead workers to the least loaded live worker (same index and
 *     count: it resumes at the current offset of the unchanged start_at), recording the interruption
 *     on the case run; a share whose worker died while running it a second time is not resumed (the
 *     case run and the task run end in 3), nor is any when no worker is live (3, "no worker left")
 *     (reconcile-takeover.ts);
 *  4. ends the case runs whose shares all ended (2; 4 when stopped; 3 when a share failed, or when
 *     their shares began no iteration) (reconcile-ends.ts);
 *  5. dispatches ready case runs (parallel: all; serial: the next one once none runs), task runs first
 *     come first served within the runs at once and the live capacity (a run that does not fit stays
 *     queued in 9 with the reason): one share per live worker, stage 0 at now + START_LEAD_MS (with
 *     workers on several engine threads: WARM_THREADED_START_LEAD_MS when their warm threads suffice,
 *     else THREADED_START_LEAD_MS); with no live worker for NO_WORKER_WAIT_MS after it left the queue
 *     the run ends in 3 ("no worker") (reconcile-dispatch.ts);
 *  6. ends the task runs whose case runs all ended;
 * and notifies the runs channel when it changed anything (counted by reconcile-writer.ts).
 */
import { RunStatus } from '@perftest/model';
import type { Database, Queryable } from '@perftest/store';
import { notifyRuns } from '../channel.js';
import { SILENT_LOG, type RunnerLog } from '../log.js';
import { dispatch } from './reconcile-dispatch.js';
import { endCaseRuns } from './reconcile-ends.js';
import { reassignOrphans } from './reconcile-takeover.js';
import { PassWriter, type LiveWorker } from './reconcile-writer.js';
import { ShareStatus, SQL, WorkerStopCause } from './statuses.js';
import { DEAD_AFTER_MS, NO_WORKER_WAIT_MS } from '../timing.js';

/** Key of the advisory lock a reconcile pass holds. */
export const RECONCILE_LOCK = 742_337_002;

/** Timings of a pass (tests shorten them). */
export interface ReconcileOptions {
  deadAfterMs?: number;
  noWorkerWaitMs?: number;
  /** Lead of the start instant (default: by the live workers' threads). */
  leadMs?: number;
  log?: RunnerLog;
}

/** What a pass did. */
export interface ReconcileResult {
  /** False when another process held the lock. */
  ran: boolean;
  /** Rows changed by the pass. */
  changes: number;
}

/** Runs one reconcile pass. */
export async function reconcile(db: Database, options: ReconcileOptions = {}): Promise<ReconcileResult> {
  const result = await db.transaction(async (tx) => {
    const [lock] = await tx.query<{ locked: boolean }>('select pg_try_advisory_xact_lock($1) as locked', [RECONCILE_LOCK]);
    if (!lock.locked) return { ran: false, changes: 0 };
    const pass = new Pass(tx, options);
    const changes = await pass.run();
    if (changes > 0) await notifyRuns(tx, 'reconciled');
    return { ran: true, changes };
  });
  return result;
}

/** One pass over the tables inside the reconcile transaction; the steps of files reconcile-*.ts. */
class Pass {
  private readonly w: PassWriter;
  private readonly deadAfterMs: number;
  private readonly noWorkerWaitMs: number;
  private readonly leadMs: number | undefined;

  constructor(
    private readonly tx: Queryable,
    options: ReconcileOptions,
  ) {
    this.w = new PassWriter(tx, options.log ?? SILENT_LOG);
    this.deadAfterMs = options.deadAfterMs ?? DEAD_AFTER_MS;
    this.noWorkerWaitMs = options.noWorkerWaitMs ?? NO_WORKER_WAIT_MS;
    this.leadMs = options.leadMs;
  }

  async run(): Promise<number> {
    await this.declareDeadWorkers();
    const [runs] = await this.tx.query<{ active: boolean; stopping: boolean }>(
      `select exists(select 1 from task_runs where status in ${SQL.active}) as active,
              exists(select 1 from task_runs where status = ${RunStatus.Stopping}) as stopping`,
    );
    if (!runs.active) return this.w.changes;
    const live = await this.liveWorkers();
    // only a stop (start-stop.ts) makes a run stopping, its task run first
    if (runs.stopping) await this.settleStops();
    await reassignOrphans(this.w, live);
    await endCaseRuns(this.w);
    await dispatch(this.w, live, { noWorkerWaitMs: this.noWorkerWaitMs, leadMs: this.leadMs });
    await this.endTaskRuns();
    return this.w.changes;
  }

  private async declareDeadWorkers(): Promise<void> {
    const dead = await this.tx.query<{ id: string; host: string; pid: number }>(
      `update workers set stopped_at = now(), stop_cause = $2
        where stopped_at is null and heartbeat_at < now() - $1::float8 * interval '1 millisecond'
        returning id, host, pid`,
      [this.deadAfterMs, WorkerStopCause.NoHeartbeat],
    );
    this.w.changes += dead.length;
    for (const w of dead) this.w.log('warn', 'worker declared dead (no heartbeat)', { worker: w.id, host: w.host, pid: w.pid });
  }

  private async liveWorkers(): Promise<LiveWorker[]> {
    return this.tx.query<LiveWorker>(
      `select w.id, w.threads, (select count(*) from case_run_shares s where s.worker_id = w.id and s.status in ${SQL.openShares})::int as load,
              (select coalesce(sum(ceil(c.users::float8 / s.share_count)), 0) from case_run_shares s join case_runs c on c.id = s.case_run_id
                where s.worker_id = w.id and s.status in ${SQL.openShares})::float8 as held,
              w.threads * w.users_per_thread as capacity
         from workers w where w.stopped_at is null order by w.started_at, w.id`,
    );
  }

  private async settleStops(): Promise<void> {
    await this.w.update(
      `update case_run_shares s set status = '${ShareStatus.Stopped}', updated_at = now()
         from case_runs c where c.id = s.case_run_id and c.status = ${RunStatus.Stopping} and s.status = '${ShareStatus.Assigned}'`,
    );
    await this.w.update(
      `update case_runs c set status = ${RunStatus.StoppedByUser}, ended_at = now()
         from task_runs t where t.id = c.task_run_id and t.status = ${RunStatus.Stopping} and c.status = ${RunStatus.Waiting}`,
    );
  }

  private async endTaskRuns(): Promise<void> {
    const rows = await this.tx.query<{ id: number; status: number; aborted: number; stopped: number; reason: string | null }>(
      `select t.id, t.status,
              count(*) filter (where c.status = ${RunStatus.Aborted})::int as aborted,
              count(*) filter (where c.status = ${RunStatus.StoppedByUser})::int as stopped,
              (select c2.reason from case_runs c2 where c2.task_run_id = t.id and c2.status = ${RunStatus.Aborted}
                order by c2.position limit 1) as reason
         from task_runs t join case_runs c on c.task_run_id = t.id
        where t.status in ${SQL.dispatched}
        group by t.id, t.status
       having count(*) filter (where c.status in ${SQL.active}) = 0`,
    );
    for (const row of rows) {
      const status =
        row.status === RunStatus.Stopping || row.stopped > 0
          ? RunStatus.StoppedByUser
          : row.aborted > 0
            ? RunStatus.Aborted
            : RunStatus.Finished;
      await this.w.update('update task_runs set status = $2, reason = $3, ended_at = now() where id = $1 and status = $4', [
        row.id,
        status,
        status === RunStatus.Aborted ? row.reason : null,
        row.status,
      ]);
      this.w.log('info', 'run ended', { taskRun: row.id, status });
    }
  }
}
