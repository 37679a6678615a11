/**
 * One case run as a followed task run sees it: its rows waiting for their second to be emitted, the
 * report accumulator of everything emitted so far (the cumulative cards), and when a second is
 * ready: once every active share wrote it, LIVE_GRACE_MS after it ended, or at once when the case
 * run has ended (its rows are then final).
 */
import type { CardInfo, IntervalRow, LiveCard } from '@perftest/model';
import { ENDED_RUN_STATUSES, OPEN_SHARE_STATUSES } from '@perftest/runner';
import { CaseRunAccumulator } from '@perftest/engine';
import type { LiveCaseRunState } from '../storage/live.js';
import { liveCards } from './cards.js';
import { FrameBuilder, type Frame } from './frame.js';
import { LIVE_GRACE_MS } from './timing.js';

/** Statuses after which a case run writes no more rows. */
const ENDED: ReadonlySet<number> = new Set(ENDED_RUN_STATUSES);
/** Share statuses that still write rows. */
const WRITING: ReadonlySet<string> = new Set(OPEN_SHARE_STATUSES);

/** What a case run does at a second: nothing to emit, emit (if it has rows), or hold the second back. */
export type Role = 'skip' | 'ready' | 'wait';

const keyOf = (row: Pick<IntervalRow, 'second' | 'share_index' | 'worker_id'>): string => `${row.second}/${row.share_index}/${row.worker_id}`;

/** The live state of one case run. */
export class CaseRunTrack {
  readonly id: number;
  /** Starts dropped over the rows folded so far (the live frames' `dropped_total`). */
  private droppedTotal = 0;
  caseId: number | null;
  name: string;
  status: number;
  reason: string | null;
  cards: CardInfo[] = [];
  /** The second stage 0 starts in (undefined until dispatched). */
  startSecond: number | undefined;
  /** First and last second holding a row, as last read. */
  firstSecond: number | null = null;
  lastSecond: number | null = null;
  /** Its rows are all folded or pending: it has ended and the count of stored rows was checked. */
  reconciled = false;
  /** Every second is emitted: nothing more will come. */
  done = false;
  /** The status last sent to viewers, and that event's text. */
  sentStatus: number | undefined;
  statusText: string | undefined;
  /** Shares the case run is divided into. */
  shareCount = 0;
  private readonly writing = new Set<number>();
  private acc: CaseRunAccumulator | undefined;
  private readonly pending = new Map<number, IntervalRow[]>();
  private readonly pendingKeys = new Set<string>();
  private readonly frames = new FrameBuilder();

  constructor(
    state: LiveCaseRunState,
    /** Its position in the task run. */
    readonly order: number,
  ) {
    this.id = state.id;
    this.caseId = state.case_id;
    this.name = state.name;
    this.status = state.status;
    this.reason = state.reason;
    this.update(state);
  }

  /** Whether the case run has ended. */
  get ended(): boolean {
    return ENDED.has(this.status);
  }

  /** Rows folded or pending. */
  get known(): number {
    return (this.acc?.rowCount ?? 0) + this.pendingKeys.size;
  }

  /** Takes the state read from the database. */
  update(state: LiveCaseRunState): void {
    this.status = state.status;
    this.reason = state.reason;
    this.name = state.name;
    this.caseId = state.case_id;
    if (this.cards.length === 0 && Array.isArray(state.cards)) this.cards = state.cards;
    if (state.start_ms !== null) this.startSecond = Math.floor(state.start_ms / 1000);
    this.firstSecond = state.first_second;
    this.lastSecond = state.last_second;
    this.shareCount = state.shares.length;
    this.writing.clear();
    for (const [index, status] of state.shares) if (WRITING.has(status)) this.writing.add(index);
    if (this.ended && this.startSecond === undefined && this.lastSecond === null) {
      this.reconciled = true;
      this.done = true;
    }
  }

  /** Takes a row read from the database; one already held is ignored, one of an emitted second folded at once. */
  add(row: IntervalRow, emittedThrough: number | undefined): void {
    const acc = this.accumulator();
    if (acc.has(row)) return;
    const key = keyOf(row);
    if (this.pendingKeys.has(key)) return;
    if (emittedThrough !== undefined && row.second <= emittedThrough) {
      acc.fold(row); // landed after its second was emitted: counted in the cumulative cards from now on
      this.droppedTotal += row.data.dropped ?? 0;
      return;
    }
    this.pendingKeys.add(key);
    let rows = this.pending.get(row.second);
    if (rows === undefined) {
      rows = [];
      this.pending.set(row.second, rows);
    }
    rows.push(row);
  }

  /** What the case run does at second `n`, at `nowMs`. Marks it done past its last row once ended. */
  role(n: number, nowMs: number): Role {
    if (this.done || this.startSecond === undefined) return 'skip';
    if (this.ended) {
      if (!this.reconciled) return 'wait';
      if (this.lastSecond === null || n > this.lastSecond) {
        this.done = this.pending.size === 0 || Math.max(...this.pending.keys()) < n;
        return 'skip';
      }
      return n < this.startSecond && !this.pending.has(n) ? 'skip' : 'ready';
    }
    if (n < this.startSecond && !this.pending.has(n)) return 'skip';
    const endMs = (n + 1) * 1000;
    if (nowMs < endMs) return 'wait';
    if (nowMs >= endMs + LIVE_GRACE_MS) return 'ready';
    const rows = this.pending.get(n);
    for (const index of this.writing) {
      if (rows === undefined || !rows.some((r) => r.share_index === index)) return 'wait';
    }
    return 'ready';
  }

  /** Whether the row with this key is folded or pending. */
  holds(key: Pick<IntervalRow, 'second' | 'share_index' | 'worker_id'>): boolean {
    return this.accumulator().has(key) || this.pendingKeys.has(keyOf(key));
  }

  /**
   * Folds the rows of second `n` into the cumulative state; their frame (when `frame` is true), or
   * undefined without rows.
   */
  emit(n: number, frame = true): Frame | undefined {
    const rows = this.pending.get(n);
    if (rows === undefined) return undefined;
    this.pending.delete(n);
    const acc = this.accumulator();
    for (const row of rows) {
      this.pendingKeys.delete(keyOf(row));
      acc.fold(row);
      this.droppedTotal += row.data.dropped ?? 0;
    }
    if (!frame) return undefined;
    const built = this.frames.build(this.id, n, rows.map((r) => r.data));
    built.dropped_total = this.droppedTotal;
    return built;
  }

  /** The cumulative cards as of what is folded. */
  liveCards(): LiveCard[] {
    return liveCards(this.accumulator(), this.cards);
  }

  /** The earliest second with pending rows (undefined when none). */
  firstPending(): number | undefined {
    let first: number | undefined;
    for (const second of this.pending.keys()) if (first === undefined || second < first) first = second;
    return first;
  }

  private accumulator(): CaseRunAccumulator {
    this.acc ??= new CaseRunAccumulator();
    return this.acc;
  }
}
