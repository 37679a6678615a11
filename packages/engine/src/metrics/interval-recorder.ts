/**
 * The Recorder of one thread: a statistics cell per request card plus one for case iterations,
 * flushed once per second into an IntervalMessage and then reused. A card's cell is made when the
 * card records its first request, so cards that never run cost nothing.
 */
import type { EncodedStats, IntervalMessage } from '@perftest/model';
import type { RequestResult } from '../protocols/driver.js';
import type { IterationResult, Recorder } from '../types.js';
import { StatsCell } from './stats-cell.js';

/** Records requests and iterations of one case on one thread and emits one interval per flush. */
export class IntervalRecorder implements Recorder {
  private readonly cards = new Map<string, StatsCell>();
  private readonly iterations = new StatsCell();
  /** The first failure reason of each card in the interval (a report shows why requests fail). */
  private readonly errors = new Map<string, string>();
  /** Requests aborted in flight by a stop in the interval (docs/run-lifecycle.md#stop). */
  private abortedCount = 0;
  private closed = false;

  /** A request of card `cardKey` finished. */
  request(cardKey: string, result: RequestResult): void {
    let cell = this.cards.get(cardKey);
    if (cell === undefined) {
      cell = new StatsCell();
      this.cards.set(cardKey, cell);
    }
    cell.record(result.outcome, result.status, result.responseTimeUs, result.sentBytes, result.recBytes);
    if (result.outcome !== 'success' && result.error !== undefined && !this.errors.has(cardKey)) this.errors.set(cardKey, result.error);
  }

  /** A request sent before a halt was aborted in flight: not completed, counted apart. */
  aborted(_cardKey: string): void {
    this.abortedCount++;
  }

  /** An iteration (transaction) of the case finished. */
  iteration(result: IterationResult): void {
    this.iterations.record(result.outcome, result.status, result.responseTimeUs, result.sentBytes, result.recBytes);
  }

  /** Cells made so far (one per card that recorded a request). */
  get cellCount(): number {
    return this.cards.size;
  }

  /**
   * The interval recorded since the last flush, then every cell is cleared for the next one.
   * Cards without requests in the interval are left out of `cards`.
   */
  flush(second: number, users: number, started: number, dropped: number, stage: number): IntervalMessage {
    if (this.closed) throw new Error('IntervalRecorder is closed');
    const cards: Record<string, EncodedStats> = {};
    for (const [key, cell] of this.cards) {
      if (cell.requests > 0) {
        const encoded = cell.encode();
        const error = this.errors.get(key);
        if (error !== undefined) encoded.error = error;
        cards[key] = encoded;
      }
      cell.reset();
    }
    this.errors.clear();
    const iterations = this.iterations.encode();
    this.iterations.reset();
    const interval: IntervalMessage = { type: 'interval', second, users, started, dropped, stage, iterations, cards };
    if (this.abortedCount > 0) interval.aborted = this.abortedCount;
    this.abortedCount = 0;
    return interval;
  }

  /** Drops the cells; the recorder must not be used afterwards. */
  close(): void {
    this.closed = true;
    this.cards.clear();
  }
}
