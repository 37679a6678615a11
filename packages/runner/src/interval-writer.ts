/**
 * Writes a worker's intervals to `intervals` as they arrive: rows gathered for INTERVAL_FLUSH_MS go
 * in one insert (one statement per flush whatever the number of shares: they all emit just after the
 * second ends), so ten workers writing every second cost ten small inserts a second, and a kill -9
 * loses at most the second in progress and INTERVAL_FLUSH_MS after it. An insert only lands for shares the worker still owns, so
 * a worker declared dead that comes back cannot write over its successor. A failed insert is retried
 * at the next flush; the backlog is bounded.
 */
import type { IntervalRow } from '@perftest/model';
import type { Queryable } from '@perftest/store';
import { insertIntervals } from './lifecycle/intervals.js';
import { SILENT_LOG, type RunnerLog } from './log.js';
import { INTERVAL_FLUSH_MS } from './timing.js';

/** Rows kept while the database refuses them; the oldest go first beyond this. */
const MAX_BACKLOG = 50_000;

/** Batches interval rows into inserts. */
export class IntervalWriter {
  private rows: IntervalRow[] = [];
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  private closed = false;
  /** Rows written so far (tests and logs). */
  written = 0;

  constructor(
    private readonly db: Queryable,
    private readonly log: RunnerLog = SILENT_LOG,
    private readonly flushMs = INTERVAL_FLUSH_MS,
  ) {}

  /** Queues one row; it is written within flushMs. */
  add(row: IntervalRow): void {
    if (this.closed) return;
    this.rows.push(row);
    if (this.rows.length > MAX_BACKLOG) {
      const dropped = this.rows.splice(0, this.rows.length - MAX_BACKLOG);
      this.log('error', 'interval backlog full: oldest rows dropped', { dropped: dropped.length });
    }
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, this.flushMs);
  }

  /** Stops retrying: rows still queued are dropped (logged). Call after the last flush. */
  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.rows.length > 0) this.log('error', 'intervals not written at shutdown', { rows: this.rows.length });
    this.rows = [];
  }

  /** Writes everything queued so far; resolves once it is written (or failed and was re-queued). */
  flush(): Promise<void> {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    this.writing = this.writing.then(() => this.writeQueued());
    return this.writing;
  }

  private async writeQueued(): Promise<void> {
    if (this.rows.length === 0) return;
    const batch = this.rows;
    this.rows = [];
    try {
      await insertIntervals(this.db, batch);
      this.written += batch.length;
    } catch (error) {
      this.rows = batch.concat(this.rows);
      this.log('warn', 'interval insert failed; retrying', { rows: batch.length, error: String(error) });
      if (this.closed) return;
      this.timer ??= setTimeout(() => {
        this.timer = undefined;
        void this.flush();
      }, this.flushMs * 5);
    }
  }
}
