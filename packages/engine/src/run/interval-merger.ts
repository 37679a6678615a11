/**
 * The main thread's view of a run spread over threads: each thread emits one interval per second;
 * a second is merged (exactly, metrics/merge.ts) and emitted once every thread still running has
 * reported it or a later one, so the run emits one interval per second, in order.
 */
import type { IntervalMessage } from '@perftest/model';
import { encodeInterval, mergeIntervals } from '../metrics/merge.js';

/** Merges the per-thread intervals of each second into one. */
export class IntervalMerger {
  private readonly pending = new Map<number, IntervalMessage[]>();
  private readonly latest: number[];
  private readonly finished: boolean[];
  private lastEmitted = Number.NEGATIVE_INFINITY;
  /** Intervals that arrived after their second was emitted: folded into the next one. */
  private carry: IntervalMessage[] = [];

  constructor(
    threads: number,
    private readonly emit: (interval: IntervalMessage) => void,
  ) {
    this.latest = new Array<number>(threads).fill(Number.NEGATIVE_INFINITY);
    this.finished = new Array<boolean>(threads).fill(false);
  }

  /** Thread `thread` reported one second. */
  add(thread: number, interval: IntervalMessage): void {
    let list = this.pending.get(interval.second);
    if (list === undefined) {
      list = [];
      this.pending.set(interval.second, list);
    }
    list.push(interval);
    this.latest[thread] = Math.max(this.latest[thread], interval.second);
    this.release();
  }

  /** Thread `thread` will report no more seconds. */
  finish(thread: number): void {
    this.finished[thread] = true;
    this.release();
  }

  /** Emits everything still pending (the run ends even if a thread never reported). */
  flush(): void {
    this.release(Number.POSITIVE_INFINITY);
    if (this.carry.length > 0) {
      const late = this.carry.map((i) => ({ ...i, second: this.lastEmitted + 1 }));
      this.carry = [];
      this.lastEmitted++;
      this.emit(encodeInterval(mergeIntervals(late)));
    }
  }

  private release(mark = this.watermark()): void {
    if (this.pending.size === 0) return;
    const due = [...this.pending.keys()].filter((s) => s <= mark).sort((a, b) => a - b);
    for (const second of due) {
      const list = this.pending.get(second)!;
      this.pending.delete(second);
      if (second <= this.lastEmitted) {
        this.carry.push(...list);
        continue;
      }
      this.lastEmitted = second;
      if (this.carry.length > 0) {
        list.push(...this.carry);
        this.carry = [];
      }
      this.emit(list.length === 1 ? list[0] : encodeInterval(mergeIntervals(list)));
    }
  }

  private watermark(): number {
    let mark = Number.POSITIVE_INFINITY;
    for (let i = 0; i < this.latest.length; i++) if (!this.finished[i]) mark = Math.min(mark, this.latest[i]);
    return mark;
  }
}
