/**
 * Step 3 of a reconcile pass (reconcile.ts): the open shares of workers no longer live. Each goes to
 * the least loaded live worker (same index and count: it resumes at the current offset of the
 * unchanged start_at), and the interruption (from when to when, why) is recorded on its case run. A
 * share whose worker died while running it a second time is not resumed (the crash-loop guard: its
 * case run and task run end in 3), nor is any when no worker is live ("no worker left") or none has
 * room for its users ("no capacity left").
 */
import { RunStatus } from '@perftest/model';
import type { Interruption } from './rows.js';
import type { LiveWorker, PassWriter } from './reconcile-writer.js';
import { ShareStatus, SQL, WorkerStopCause } from './statuses.js';

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
  /** The users of its case run at once (its share takes them over share_count, rounded up). */
  users: number;
  interruptions: Interruption[] | null;
  from_at: Date;
  to_at: Date;
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

/**
 * Gives each open share of a dead or departed worker to the live worker with the fewest open
 * shares among those whose capacity holds its users beside what they run, recording the
 * interruption on its case run. A share whose worker died (not left) while
 * running it counts a takeover; when it had been taken over that way once already, it is not
 * resumed again: its case run and task run end in 3 (the crash-loop guard). With no live worker,
 * the task run ends in 3 ("no worker left"), and so it does when no live worker has room for the
 * share's users ("no capacity left": resuming it would take that worker past its memory budget).
 */
export async function reassignOrphans(w: PassWriter, live: LiveWorker[]): Promise<void> {
  const orphans = await w.tx.query<OrphanRow>(
    `select s.case_run_id, s.share_index, s.share_count, s.status as share_status, s.takeovers, s.worker_id,
            coalesce(w.host, 'an unknown host') as host, w.stop_cause, c.status as case_status, c.task_run_id,
            c.name as case_name, c.users, c.interruptions,
            least(now(), greatest(
              coalesce(w.heartbeat_at, now()),
              case when w.stop_cause = '${WorkerStopCause.Left}' then w.stopped_at else '-infinity'::timestamptz end,
              coalesce((select to_timestamp((max(i.second) + 1)::float8) from intervals i
                         where i.case_run_id = s.case_run_id and i.share_index = s.share_index and i.worker_id = s.worker_id),
                       '-infinity'::timestamptz))) as from_at,
            now() as to_at
       from case_run_shares s join case_runs c on c.id = s.case_run_id left join workers w on w.id = s.worker_id
      where s.status in ${SQL.openShares} and (w.id is null or w.stopped_at is not null)
      order by s.case_run_id, s.share_index`,
  );
  const aborted = new Set<number>();
  for (const o of orphans) {
    if (o.case_status === RunStatus.Stopping) {
      await w.setShare(o.case_run_id, o.share_index, ShareStatus.Stopped, null);
      continue;
    }
    const died = o.stop_cause !== WorkerStopCause.Left;
    const counted = died && o.share_status === ShareStatus.Running;
    const entry = interruptionOf(o);
    const users = Math.ceil(o.users / o.share_count);
    const roomy = live.filter((l) => l.capacity === null || l.held + users <= l.capacity);
    if (aborted.has(o.task_run_id)) {
      await recordInterruption(w, o.case_run_id, { ...entry, resumed: false });
    } else if (counted && o.takeovers >= 1) {
      aborted.add(o.task_run_id);
      await recordInterruption(w, o.case_run_id, { ...entry, resumed: false });
      await endCrashLoop(w, o, entry);
    } else if (roomy.length > 0) {
      const to = roomy.reduce((best, l) => (l.load < best.load ? l : best));
      to.load++;
      to.held += users;
      await w.update(
        `update case_run_shares set worker_id = $3, status = '${ShareStatus.Assigned}', error = null, claimed_at = null,
                takeovers = takeovers + $4, updated_at = now()
          where case_run_id = $1 and share_index = $2`,
        [o.case_run_id, o.share_index, to.id, counted ? 1 : 0],
      );
      await recordInterruption(w, o.case_run_id, { ...entry, resumed: true });
      w.log('warn', 'share of a dead worker reassigned', {
        caseRun: o.case_run_id,
        share: o.share_index,
        from: o.worker_id,
        to: to.id,
        takeovers: o.takeovers + (counted ? 1 : 0),
        downSeconds: entry.seconds,
      });
    } else {
      aborted.add(o.task_run_id);
      await recordInterruption(w, o.case_run_id, { ...entry, resumed: false });
      const free = Math.max(0, ...live.map((l) => (l.capacity ?? 0) - l.held));
      await w.abortTaskRun(
        o.task_run_id,
        live.length === 0
          ? `no worker left: ${entry.reason} and no live worker can take its share`
          : `no capacity left: ${entry.reason} and no live worker can hold the ${users} users of its share (the most one has free is ${free})`,
      );
    }
  }
}

async function recordInterruption(w: PassWriter, caseRunId: number, entry: Interruption): Promise<void> {
  await w.update(
    `update case_runs set interruptions = coalesce(interruptions, '[]'::jsonb) || jsonb_build_array($2::jsonb) where id = $1`,
    [caseRunId, JSON.stringify(entry)],
  );
}

/** The second death of a worker running a share: its case run ends in 3, and its task run with it. */
async function endCrashLoop(w: PassWriter, o: OrphanRow, entry: Interruption): Promise<void> {
  const first = (o.interruptions ?? []).filter((i) => i.share === o.share_index && i.resumed).at(-1);
  const deaths = [first, entry]
    .filter((i): i is Interruption => i !== undefined)
    .map((i) => `${i.reason} at ${i.from}`)
    .join(', then ');
  const reason = `worker died twice while running it (share ${o.share_index + 1}/${o.share_count}: ${deaths}): not resumed again`;
  await w.update(
    `update case_run_shares set status = '${ShareStatus.Failed}', error = $2, updated_at = now()
      where case_run_id = $1 and status in ${SQL.openShares}`,
    [o.case_run_id, reason],
  );
  await w.update(`update case_runs set status = ${RunStatus.Aborted}, reason = $2, ended_at = now() where id = $1 and status in ${SQL.active}`, [
    o.case_run_id,
    reason,
  ]);
  await w.abortTaskRun(o.task_run_id, reason, `not run further: case run ${o.case_run_id} ("${o.case_name}") of the task run: ${reason}`);
}
