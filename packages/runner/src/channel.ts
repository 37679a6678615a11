/**
 * The one NOTIFY channel of runs: whoever changes a run's state (a start, a stop, a dispatch, a share
 * ending) notifies it, and every runner process listens, so that they react at once instead of at
 * their next poll. Payloads are informative only: a listener always re-reads the tables.
 */
import type { Queryable } from '@perftest/store';

/** The channel name. */
export const RUNS_CHANNEL = 'perftest_runs';

/** Notifies the runs channel; inside a transaction it is delivered at commit. */
export async function notifyRuns(q: Queryable, payload: string): Promise<void> {
  await q.query('select pg_notify($1, $2)', [RUNS_CHANNEL, payload]);
}
