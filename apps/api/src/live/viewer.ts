/**
 * One connected stream: a position in its task run's timeline and the response it writes to. It
 * never queues events of its own: when its socket buffer is full it waits for `drain` and then reads
 * on from the timeline, so a slow viewer costs its socket buffer and nothing more; one that does not
 * drain for LIVE_STALL_MS is disconnected (it may resume with Last-Event-ID).
 */
import type { ServerResponse } from 'node:http';
import { LIVE_STALL_MS } from './timing.js';

/** A connected viewer. */
export class Viewer {
  /** Sequence number of the next timeline event to write. */
  cursor: number;
  /** Events before this sequence number were replayed on connect: their status events are skipped. */
  readonly liveFrom: number;
  /** Written once the replay reaches `liveFrom`: the current status of every case run. */
  snapshot: string | undefined;
  /** When it last wrote anything (ms). */
  lastWrite = Date.now();
  /** Set while the socket buffer is full (ms since when). */
  blockedSince: number | undefined;
  closed = false;

  constructor(
    readonly res: ServerResponse,
    cursor: number,
    liveFrom: number,
    snapshot: string,
  ) {
    this.cursor = cursor;
    this.liveFrom = liveFrom;
    this.snapshot = snapshot;
  }

  /** Writes `text`; false when the socket buffer is full (call again after `drain`). */
  write(text: string): boolean {
    this.lastWrite = Date.now();
    const ok = this.res.write(text);
    if (!ok) this.blockedSince ??= this.lastWrite;
    return ok;
  }

  /** Whether it has waited for `drain` too long. */
  stalled(nowMs: number): boolean {
    return this.blockedSince !== undefined && nowMs - this.blockedSince > LIVE_STALL_MS;
  }

  /** Ends the response (once). */
  end(): void {
    if (this.closed) return;
    this.closed = true;
    this.res.end();
  }
}
