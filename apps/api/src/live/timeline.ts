/**
 * The events of a followed task run in the order they were emitted, each with a sequence number, so
 * that every viewer is just a position in it: a caught-up viewer gets each new event as it comes, a
 * slow or reconnecting one reads on from where it is. Events older than LIVE_HISTORY_SECONDS are
 * dropped, and interval events older than LIVE_CARDS_SECONDS lose their `cards` (the latest events
 * carry the cumulative table), which bounds the memory of a long run.
 */
import { LIVE_CARDS_SECONDS, LIVE_HISTORY_SECONDS } from './timing.js';

/** What an event is. */
export type ItemKind = 'interval' | 'status' | 'end';

/** One event as it is written to viewers. */
export interface TimelineItem {
  kind: ItemKind;
  /** The second it is about (intervals) or the latest emitted second when it was emitted. */
  second: number;
  /** Position of its case run in the task run (intervals of one second are in this order). */
  order: number;
  /** The whole SSE event text. */
  text: string;
  /** The text without `cards`, once the event is old enough to lose them. */
  stripped?: string;
}

/** A bounded, append-only list of events with absolute sequence numbers. */
export class Timeline {
  private items: TimelineItem[] = [];
  /** Sequence number of items[0]. */
  private offset = 0;
  /** Items before this index have been stripped of their cards. */
  private strippedTo = 0;

  /** Sequence number of the first event kept. */
  get first(): number {
    return this.offset;
  }

  /** Sequence number the next event will get. */
  get end(): number {
    return this.offset + this.items.length;
  }

  /** Appends an event. */
  push(item: TimelineItem): void {
    this.items.push(item);
  }

  /** The event with sequence number `seq` (undefined when dropped or not yet there). */
  at(seq: number): TimelineItem | undefined {
    return this.items[seq - this.offset];
  }

  /** Drops or strips the events that are too old given that `latest` is the latest emitted second. */
  age(latest: number): void {
    let drop = 0;
    while (drop < this.items.length && this.items[drop].second < latest - LIVE_HISTORY_SECONDS) drop++;
    if (drop > 0) {
      this.items.splice(0, drop);
      this.offset += drop;
      this.strippedTo = Math.max(0, this.strippedTo - drop);
    }
    while (this.strippedTo < this.items.length && this.items[this.strippedTo].second < latest - LIVE_CARDS_SECONDS) {
      const item = this.items[this.strippedTo++];
      if (item.stripped !== undefined) {
        item.text = item.stripped;
        item.stripped = undefined;
      }
    }
  }

  /**
   * Where a client that last saw event `second:order` (or every event of `second` when `order` is
   * undefined) resumes: the sequence number of the first interval after it (the first kept event
   * when it is older than the history).
   */
  resumeAfter(second: number, order: number | undefined): number {
    const after = (item: TimelineItem): boolean =>
      item.second > second || (item.second === second && order !== undefined && item.order > order);
    // binary search over the intervals' (second, order), which only grow
    let lo = 0;
    let hi = this.items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (after(this.items[mid])) hi = mid;
      else lo = mid + 1;
    }
    return this.offset + lo;
  }
}
