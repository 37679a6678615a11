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
 *     case run and the task run end in 3), nor is any when no worker is live (3, "no worker left");
 *  4. ends the case runs whose shares all ended (2; 4 when stopped; 3 when a share failed, or when
 *     their shares began no iteration);
 *  5. dispatches ready case runs (parallel: all; serial: the next one once none runs), task runs first
 *     come first served within the runs at once and the live capacity (a run that does not fit stays
 *     queued in 9 with the reason): one share per live worker, stage 0 at now + START_LEAD_MS (with
 *     workers on several engine threads: WARM_THREADED_START_LEAD_MS when their warm threads suffice,
 *     else THREADED_START_LEAD_MS); with no live worker for NO_WORKER_WAIT_MS after it left the queue
 *     the run ends in 3 ("no worker");
 *  6. ends the task runs whose case runs all ended;
 * and notifies the runs channel when it changed anything.
 */
import { RunStatus } from '@perftest/model';
import type { Database, Queryable } from '@perftest/store';
import { notifyRuns } from '../channel.js';
import { SILENT_LOG, type RunnerLog } from '../log.js';
import { readRunLimits } from './capacity.js';
import type { Interruption } from './rows.js';
import { ShareStatus, SQL, WorkerStopCause } from './statuses.js';
import { DEAD_AFTER_MS, NO_WORKER_WAIT_MS, START_LEAD_MS, THREADED_START_LEAD_MS, WARM_THREADED_START_LEAD_MS } from '../timing.js';

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

/** An open share of a worker no longer live, with what the takeover needs. */
interface OrphanRow {
  case_run_id: number;
  share_index: number;
  share_count: number;
  share_status: ShareStatus;
  takeovers: number;
  worker_id: string;
  host: string;
  stop_cause: WorkerStopCause | null;
  case_status: number;
  task_run_id: number;
  case_name: string;
  interruptions: Interruption[] | null;
  from_at: Date;
  to_at: Date;
}

/** A dispatched case run with the tally of its shares. */
interface EndRow {
  id: number;
  status: number;
  open: number;
  failed: number;
  error: string | null;
  /** Shares whose started count nobody recorded (claimed by a worker older than migration 011). */
  unrecorded: number;
  /** Iterations begun over all shares. */
  started: number;
  /** Shares never taken over that began none. */
  idle: number;
}

/** A share of an ended case run that began no iteration. */
interface IdleShareRow {
  share_index: number;
  share_count: number;
  worker_id: string;
  host: string;
  takeovers: number;
  /** Seconds from the start instant to its claim (null: never claimed). */
  late: number | null;
  /** Seconds of the whole stage plan (null: a stage runs by count, or the plan is not stored). */
  plan: number | null;
}

/** The interruption an orphan share records (`resumed` set by the caller). */
function interruptionOf(o: OrphanRow): Interruption {
  const cause =
    o.stop_cause === WorkerStopCause.Left
      ? 'left'
      : o.stop_cause === WorkerStopCause.Restarted
        ? 'stopped heartbeating (its server restarted on the same data directory)'
        : 'stopped heartbeating';
  const to = new Date(o.to_at);
  const from = Number.isFinite(new Date(o.from_at).getTime()) ? new Date(o.from_at) : to;
  return {
    share: o.share_index,
    share_count: o.share_count,
    worker: o.worker_id,
    host: o.host,
    from: from.toISOString(),
    to: to.toISOString(),
    seconds: Math.max(0, Math.round(to.getTime() - from.getTime())) / 1000,
    reason: `worker ${o.worker_id} on ${o.host} ${cause}`,
    resumed: false,
  };
}

interface LiveWorker {
  id: string;
  threads: number;
  load: number;
  /** Users it holds (threads x users_per_thread); null when it advertises none (an older version). */
  capacity: number | null;
}

const OPEN_SHARES = SQL.openShares;
const ACTIVE = SQL.active;

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

/** One pass over the tables inside the reconcile transaction. */
class Pass {
  private changes = 0;
  private readonly log: RunnerLog;
  private readonly deadAfterMs: number;
  private readonly noWorkerWaitMs: number;
  private readonly leadMs: number | undefined;

  constructor(
    private readonly tx: Queryable,
    options: ReconcileOptions,
  ) {
    this.log = options.log ?? SILENT_LOG;
    this.deadAfterMs = options.deadAfterMs ?? DEAD_AFTER_MS;
    this.noWorkerWaitMs = options.noWorkerWaitMs ?? NO_WORKER_WAIT_MS;
    this.leadMs = options.leadMs;
  }

  async run(): Promise<number> {
    await this.declareDeadWorkers();
    const [active] = await this.tx.query<{ any: boolean }>(`select exists(select 1 from task_runs where status in ${ACTIVE}) as any`);
    if (!active.any) return this.changes;
    const live = await this.liveWorkers();
    await this.settleStops();
    await this.reassignOrphans(live);
    await this.endCaseRuns();
    await this.dispatch(live);
    await this.endTaskRuns();
    return this.changes;
  }

  private async update(sql: string, params: readonly unknown[] = []): Promise<number> {
    const rows = await this.tx.query(`${sql} returning 1`, params);
    this.changes += rows.length;
    return rows.length;
  }

  private async declareDeadWorkers(): Promise<void> {
    const dead = await this.tx.query<{ id: string; host: string; pid: number }>(
      `update workers set stopped_at = now(), stop_cause = $2
        where stopped_at is null and heartbeat_at < now() - $1::float8 * interval '1 millisecond'
        returning id, host, pid`,
      [this.deadAfterMs, WorkerStopCause.NoHeartbeat],
    );
    this.changes += dead.length;
    for (const w of dead) this.log('warn', 'worker declared dead (no heartbeat)', { worker: w.id, host: w.host, pid: w.pid });
  }

  private async liveWorkers(): Promise<LiveWorker[]> {
    return this.tx.query<LiveWorker>(
      `select w.id, w.threads, (select count(*) from case_run_shares s where s.worker_id = w.id and s.status in ${OPEN_SHARES})::int as load,
              w.threads * w.users_per_thread as capacity
         from workers w where w.stopped_at is null order by w.started_at, w.id`,
    );
  }

  private async settleStops(): Promise<void> {
    await this.update(
      `update case_run_shares s set status = '${ShareStatus.Stopped}', updated_at = now()
         from case_runs c where c.id = s.case_run_id and c.status = ${RunStatus.Stopping} and s.status = '${ShareStatus.Assigned}'`,
    );
    await this.update(
      `update case_runs c set status = ${RunStatus.StoppedByUser}, ended_at = now()
         from task_runs t where t.id = c.task_run_id and t.status = ${RunStatus.Stopping} and c.status = ${RunStatus.Waiting}`,
    );
  }

  /**
   * Gives each open share of a dead or departed worker to the live worker with the fewest open
   * shares, recording the interruption on its case run. A share whose worker died (not left) while
   * running it counts a takeover; when it had been taken over that way once already, it is not
   * resumed again: its case run and task run end in 3 (the crash-loop guard). With no live worker,
   * the task run ends in 3 ("no worker left").
   */
  private async reassignOrphans(live: LiveWorker[]): Promise<void> {
    const orphans = await this.tx.query<OrphanRow>(
      `select s.case_run_id, s.share_index, s.share_count, s.status as share_status, s.takeovers, s.worker_id,
              coalesce(w.host, 'an unknown host') as host, w.stop_cause, c.status as case_status, c.task_run_id,
              c.name as case_name, c.interruptions,
              least(now(), greatest(
                coalesce(w.heartbeat_at, now()),
                case when w.stop_cause = '${WorkerStopCause.Left}' then w.stopped_at else '-infinity'::timestamptz end,
                coalesce((select to_timestamp((max(i.second) + 1)::float8) from intervals i
                           where i.case_run_id = s.case_run_id and i.share_index = s.share_index and i.worker_id = s.worker_id),
                         '-infinity'::timestamptz))) as from_at,
              now() as to_at
         from case_run_shares s join case_runs c on c.id = s.case_run_id left join workers w on w.id = s.worker_id
        where s.status in ${OPEN_SHARES} and (w.id is null or w.stopped_at is not null)
        order by s.case_run_id, s.share_index`,
    );
    const aborted = new Set<number>();
    for (const o of orphans) {
      if (o.case_status === RunStatus.Stopping) {
        await this.setShare(o.case_run_id, o.share_index, ShareStatus.Stopped, null);
        continue;
      }
      const died = o.stop_cause !== WorkerStopCause.Left;
      const counted = died && o.share_status === ShareStatus.Running;
      const entry = interruptionOf(o);
      if (aborted.has(o.task_run_id)) {
        await this.recordInterruption(o.case_run_id, { ...entry, resumed: false });
      } else if (counted && o.takeovers >= 1) {
        aborted.add(o.task_run_id);
        await this.recordInterruption(o.case_run_id, { ...entry, resumed: false });
        await this.endCrashLoop(o, entry);
      } else if (live.length > 0) {
        const to = live.reduce((best, w) => (w.load < best.load ? w : best));
        to.load++;
        await this.update(
          `update case_run_shares set worker_id = $3, status = '${ShareStatus.Assigned}', error = null, claimed_at = null,
                  takeovers = takeovers + $4, updated_at = now()
            where case_run_id = $1 and share_index = $2`,
          [o.case_run_id, o.share_index, to.id, counted ? 1 : 0],
        );
        await this.recordInterruption(o.case_run_id, { ...entry, resumed: true });
        this.log('warn', 'share of a dead worker reassigned', {
          caseRun: o.case_run_id,
          share: o.share_index,
          from: o.worker_id,
          to: to.id,
          takeovers: o.takeovers + (counted ? 1 : 0),
          downSeconds: entry.seconds,
        });
      } else {
        aborted.add(o.task_run_id);
        await this.recordInterruption(o.case_run_id, { ...entry, resumed: false });
        await this.abortTaskRun(o.task_run_id, `no worker left: ${entry.reason} and no live worker can take its share`);
      }
    }
  }

  private async recordInterruption(caseRunId: number, entry: Interruption): Promise<void> {
    await this.update(
      `update case_runs set interruptions = coalesce(interruptions, '[]'::jsonb) || jsonb_build_array($2::jsonb) where id = $1`,
      [caseRunId, JSON.stringify(entry)],
    );
  }

  /** The second death of a worker running a share: its case run ends in 3, and its task run with it. */
  private async endCrashLoop(o: OrphanRow, entry: Interruption): Promise<void> {
    const first = (o.interruptions ?? []).filter((i) => i.share === o.share_index && i.resumed).at(-1);
    const deaths = [first, entry]
      .filter((i): i is Interruption => i !== undefined)
      .map((i) => `${i.reason} at ${i.from}`)
      .join(', then ');
    const reason = `worker died twice while running it (share ${o.share_index + 1}/${o.share_count}: ${deaths}): not resumed again`;
    await this.update(
      `update case_run_shares set status = '${ShareStatus.Failed}', error = $2, updated_at = now()
        where case_run_id = $1 and status in ${OPEN_SHARES}`,
      [o.case_run_id, reason],
    );
    await this.update(`update case_runs set status = ${RunStatus.Aborted}, reason = $2, ended_at = now() where id = $1 and status in ${ACTIVE}`, [
      o.case_run_id,
      reason,
    ]);
    await this.abortTaskRun(o.task_run_id, reason, `not run further: case run ${o.case_run_id} ("${o.case_name}") of the task run: ${reason}`);
  }

  private async setShare(caseRunId: number, index: number, status: ShareStatus, error: string | null): Promise<void> {
    await this.update('update case_run_shares set status = $3, error = $4, updated_at = now() where case_run_id = $1 and share_index = $2', [
      caseRunId,
      index,
      status,
      error,
    ]);
  }

  /**
   * Ends a task run and everything in it that has not ended in 3 with `reason` (its case runs with
   * `caseRunReason`, by default the same); data written is kept.
   */
  private async abortTaskRun(taskRunId: number, reason: string, caseRunReason = reason): Promise<void> {
    await this.update(
      `update case_run_shares s set status = '${ShareStatus.Failed}', error = $2, updated_at = now()
         from case_runs c where c.id = s.case_run_id and c.task_run_id = $1 and s.status in ${OPEN_SHARES}`,
      [taskRunId, caseRunReason],
    );
    await this.update(
      `update case_runs set status = ${RunStatus.Aborted}, reason = $2, ended_at = now() where task_run_id = $1 and status in ${ACTIVE}`,
      [taskRunId, caseRunReason],
    );
    await this.update(
      `update task_runs set status = ${RunStatus.Aborted}, reason = $2, ended_at = now() where id = $1 and status in ${ACTIVE}`,
      [taskRunId, reason],
    );
    this.log('warn', 'run aborted', { taskRun: taskRunId, reason });
  }

  /**
   * Ends the case runs whose shares all ended: 4 when stopped, 3 when a share failed, 3 when their
   * shares began no iteration (or one was claimed after its plan was over and began none), else 2.
   */
  private async endCaseRuns(): Promise<void> {
    const rows = await this.tx.query<EndRow>(
      `select c.id, c.status,
              count(*) filter (where s.status in ${OPEN_SHARES})::int as open,
              count(*) filter (where s.status = '${ShareStatus.Failed}')::int as failed,
              min(s.error) filter (where s.status = '${ShareStatus.Failed}') as error,
              count(*) filter (where s.started is null)::int as unrecorded,
              coalesce(sum(s.started), 0)::float8 as started,
              count(*) filter (where s.started = 0 and s.takeovers = 0)::int as idle
         from case_runs c join case_run_shares s on s.case_run_id = c.id
        where c.status in ${SQL.dispatched}
        group by c.id, c.status`,
    );
    for (const row of rows) {
      if (row.open > 0) continue;
      let status: RunStatus = RunStatus.Finished;
      let reason: string | null = null;
      if (row.status === RunStatus.Stopping) {
        status = RunStatus.StoppedByUser;
      } else if (row.failed > 0) {
        status = RunStatus.Aborted;
        reason = `engine failure: ${row.error ?? 'unknown'}`;
      } else if (row.unrecorded === 0 && (row.started === 0 || row.idle > 0)) {
        reason = await this.startedNothing(row.id, row.started === 0);
        if (reason !== null) status = RunStatus.Aborted;
      }
      const ended = await this.update('update case_runs set status = $2, reason = $3, ended_at = now() where id = $1 and status = $4', [
        row.id,
        status,
        reason,
        row.status,
      ]);
      if (ended > 0 && status === RunStatus.Aborted) this.log('warn', 'case run ended in 3', { caseRun: row.id, reason });
    }
  }

  /**
   * Why a case run whose shares all ended by themselves did not run its load, or null when it did:
   * with `none` its shares began no iteration at all; else one share claimed after its whole plan
   * was over (never taken over) began none. The share named is the one claimed latest.
   */
  private async startedNothing(caseRunId: number, none: boolean): Promise<string | null> {
    const idle = await this.tx.query<IdleShareRow>(
      `select s.share_index, s.share_count, s.worker_id, coalesce(w.host, 'an unknown host') as host, s.takeovers,
              extract(epoch from s.claimed_at - c.start_at)::float8 as late,
              (select case when count(*) > 0 and bool_and(jsonb_typeof(p->'duration') = 'number') then sum((p->>'duration')::float8) end
                 from jsonb_array_elements(case when jsonb_typeof(c.input->'plan') = 'array' then c.input->'plan' else '[]'::jsonb end) p) as plan
         from case_run_shares s join case_runs c on c.id = s.case_run_id left join workers w on w.id = s.worker_id
        where s.case_run_id = $1 and s.started = 0
        order by s.claimed_at - c.start_at desc nulls first, s.share_index`,
      [caseRunId],
    );
    const overAtClaim = (r: IdleShareRow) => r.plan !== null && r.late !== null && r.late >= r.plan;
    const named = (r: IdleShareRow) => `the share ${r.share_index + 1}/${r.share_count} of worker ${r.worker_id} on ${r.host}`;
    const claimed = (r: IdleShareRow) =>
      `was claimed ${(r.late as number).toFixed(1)} s after its start instant${overAtClaim(r) ? `, after its ${r.plan} s plan was over` : ''}`;
    if (none) {
      const worst = idle[0];
      if (worst === undefined) return 'no user started: its shares began no iteration';
      if (worst.late === null) return `no user started: ${named(worst)} was never claimed`;
      if (worst.late > 0) return `no user started: ${named(worst)} ${claimed(worst)}`;
      const shares = worst.share_count === 1 ? 'its share began no iteration although claimed' : `none of its ${worst.share_count} shares began an iteration although all were claimed`;
      return `no user started: ${shares} ${(-worst.late).toFixed(1)} s or more before its start instant (engine threads up too late for the plan, or every start dropped)`;
    }
    const missed = idle.find((r) => r.takeovers === 0 && overAtClaim(r));
    return missed === undefined ? null : `not every user started: ${named(missed)} ${claimed(missed)} and began no iteration`;
  }

  /**
   * Dispatches ready case runs, task runs first come first served (by id). A task run not yet
   * dispatched (9) takes one of the runs at once (run_limits) and must fit the users the dispatched
   * case runs leave of the live capacity; when it cannot it stays queued with the reason (`queued`),
   * and every later one waits behind it. A run that left the queue waits for a live worker (or for
   * enough capacity in total) NO_WORKER_WAIT_MS from then, and ends in 3 after that; a queued run
   * never does (docs/run-lifecycle.md, "Queue and capacity").
   */
  private async dispatch(live: LiveWorker[]): Promise<void> {
    const { maxRunsAtOnce } = await readRunLimits(this.tx);
    const [use] = await this.tx.query<{ runs: number; users: string }>(
      `select (select count(*) from task_runs
                 where status in ${SQL.dispatched} or (status = ${RunStatus.Waiting} and ready_at is not null))::int as runs,
              (select coalesce(sum(users), 0) from case_runs where status in ${SQL.dispatched}) as users`,
    );
    let runsAtOnce = use.runs;
    let inUse = Number(use.users);
    const capacity = live.some((w) => w.capacity === null) ? Infinity : live.reduce((sum, w) => sum + (w.capacity ?? 0), 0);
    const runs = await this.tx.query<{
      id: number;
      status: number;
      parallel: boolean;
      overdue: boolean | null;
      queued: string | null;
      left: boolean;
      ready: Array<{ id: number; users: number }> | null;
    }>(
      `select t.id, t.status, t.parallel, t.queued, t.ready_at is not null as left,
              greatest(t.ready_at, (select max(c.ended_at) from case_runs c where c.task_run_id = t.id))
                < now() - $1::float8 * interval '1 millisecond' as overdue,
              case when t.parallel or not exists(select 1 from case_runs c where c.task_run_id = t.id and c.status in ${SQL.dispatched})
                then (select json_agg(json_build_object('id', c.id, 'users', c.users) order by c.position, c.id)
                        from case_runs c where c.task_run_id = t.id and c.status = ${RunStatus.Waiting}) end as ready
         from task_runs t where t.status in (${RunStatus.Waiting}, ${RunStatus.Running}) order by t.id`,
      [this.noWorkerWaitMs],
    );
    let ahead: number | undefined;
    for (const run of runs) {
      if (run.ready === null || run.ready.length === 0) continue;
      const ready = run.parallel ? run.ready : run.ready.slice(0, 1);
      const users = ready.reduce((sum, c) => sum + c.users, 0);
      const fits = live.length === 0 || users > capacity || inUse + users <= capacity;
      if (run.status === RunStatus.Waiting && !run.left) {
        const queued =
          ahead !== undefined
            ? `queued behind task run ${ahead}`
            : runsAtOnce >= maxRunsAtOnce
              ? `queued: ${runsAtOnce} runs at once, the most PERFTEST_MAX_RUNS_AT_ONCE allows (${maxRunsAtOnce})`
              : !fits
                ? `queued: it asks ${users} users at once, the live workers hold ${capacity} and the running runs take ${inUse}`
                : null;
        if (queued !== null) {
          ahead ??= run.id;
          if (queued !== run.queued) await this.update('update task_runs set queued = $2 where id = $1 and status = $3', [run.id, queued, RunStatus.Waiting]);
          continue;
        }
        runsAtOnce++;
        await this.update('update task_runs set queued = null, ready_at = now() where id = $1 and ready_at is null', [run.id]);
      } else if (!fits) {
        // a run out of the queue (its next case, or back from no worker) waits for capacity to free,
        // ahead of the runs queued after it
        ahead ??= run.id;
        continue;
      }
      if (live.length === 0 || users > capacity) {
        if (run.overdue === true) {
          await this.abortTaskRun(
            run.id,
            live.length === 0
              ? `no worker: no live worker joined within ${this.noWorkerWaitMs / 1000} s to run it`
              : `no capacity: it asks ${users} users at once and the live workers hold ${capacity} (for ${this.noWorkerWaitMs / 1000} s)`,
          );
        }
        continue;
      }
      inUse += users;
      const lead = this.lead(live, ready.length);
      for (const caseRun of ready) await this.dispatchCaseRun(run.id, caseRun.id, live, lead);
    }
  }

  /**
   * How far ahead stage 0 of `count` case runs dispatched together starts: a worker on several
   * threads has a warm pool for one share at a time; a second share (running already, or dispatched
   * with this one) starts extra threads, which load the engine first.
   */
  private lead(live: LiveWorker[], count: number): number {
    if (this.leadMs !== undefined) return this.leadMs;
    const threaded = live.filter((w) => w.threads > 1);
    if (threaded.length === 0) return START_LEAD_MS;
    return count > 1 || threaded.some((w) => w.load > 0) ? THREADED_START_LEAD_MS : WARM_THREADED_START_LEAD_MS;
  }

  private async dispatchCaseRun(taskRunId: number, caseRunId: number, live: LiveWorker[], lead: number): Promise<void> {
    await this.tx.query(
      `insert into case_run_shares(case_run_id, share_index, share_count, worker_id)
       select $1, (e.ordinality - 1)::int, $2::int, e.value
         from jsonb_array_elements_text($3::jsonb) with ordinality as e`,
      [caseRunId, live.length, JSON.stringify(live.map((w) => w.id))],
    );
    for (const w of live) w.load++;
    await this.update(
      `update case_runs set status = ${RunStatus.Running}, start_at = now() + $2::float8 * interval '1 millisecond'
        where id = $1 and status = ${RunStatus.Waiting}`,
      [caseRunId, lead],
    );
    await this.update(
      `update task_runs set status = ${RunStatus.Running}, started_at = coalesce(started_at, now() + $2::float8 * interval '1 millisecond')
        where id = $1 and status in (${RunStatus.Waiting}, ${RunStatus.Running})`,
      [taskRunId, lead],
    );
    this.log('info', 'case run dispatched', { taskRun: taskRunId, caseRun: caseRunId, workers: live.length });
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
       having count(*) filter (where c.status in ${ACTIVE}) = 0`,
    );
    for (const row of rows) {
      const status =
        row.status === RunStatus.Stopping || row.stopped > 0
          ? RunStatus.StoppedByUser
          : row.aborted > 0
            ? RunStatus.Aborted
            : RunStatus.Finished;
      await this.update('update task_runs set status = $2, reason = $3, ended_at = now() where id = $1 and status = $4', [
        row.id,
        status,
        status === RunStatus.Aborted ? row.reason : null,
        row.status,
      ]);
      this.log('info', 'run ended', { taskRun: row.id, status });
    }
  }
}
