/**
 * Manual regulation (`voltage_regulating_mode` 1): the run-wide target of a running case run, in the
 * unit of its running stage (users or TPS). Stored in `case_runs.target`; each worker applies it to
 * its share within a poll (the engine divides it by the share), and a worker taking a share over
 * applies it too.
 */
import { RunStatus } from '@perftest/model';
import type { Database } from '@perftest/store';
import { notifyRuns } from '../channel.js';

/** Sets the target of running case run `caseRunId`; false when it is not running. */
export async function setCaseRunTarget(db: Database, caseRunId: number, value: number): Promise<boolean> {
  if (!Number.isFinite(value) || value < 0) throw new Error('value must be a finite number >= 0');
  return db.transaction(async (tx) => {
    const rows = await tx.query(
      `update case_runs set target = jsonb_build_object('value', $2::float8, 'at', now())
        where id = $1 and status = ${RunStatus.Running} returning id`,
      [caseRunId, value],
    );
    if (rows.length > 0) await notifyRuns(tx, `target:${caseRunId}`);
    return rows.length > 0;
  });
}
