/**
 * Intended start times of an open-model (TPS) stage, computed from the rate function alone and never
 * from when earlier iterations actually started: the k-th run-wide start (0-based) is due at the
 * first instant t where the integral of the rate from the stage start reaches k. The integral is
 * taken in fixed 1 ms midpoint steps from the stage start (exact for constant and linear rates and for
 * steps on whole milliseconds), so every thread and worker computes the same sequence and each keeps
 * the starts its Share owns.
 */
import type { Share } from './share.js';

/** Target iterations per second at `t` seconds since the stage started. */
export type RateFunction = (t: number) => number;

const STEP_MS = 1;
/** Starts this close to the end of the stage (ms) belong to the next one (floating-point slack). */
const END_SLACK_MS = 1e-6;

/** The sequence of one share's intended start times within a stage, in ms since the stage start. */
export class ArrivalSchedule {
  private rate: RateFunction;
  /** Integration state: sub-steps done and starts due by j*STEP_MS. */
  private j = 0;
  private areaJ = 0;
  /** Starts due by the end of the next sub-step, computed lazily (NaN until then). */
  private areaNext = Number.NaN;
  /** Run-wide index of the next start to consider, and its time once found. */
  private k = 0;
  private pending = Number.NaN;
  private over = false;

  /**
   * @param endMs starts at or after this time (ms since the stage start) are not made
   * @param limit run-wide number of starts of the stage (by-count stages), Infinity when by duration
   */
  constructor(
    rate: RateFunction,
    private readonly share: Share,
    private endMs = Number.POSITIVE_INFINITY,
    private readonly limit = Number.POSITIVE_INFINITY,
  ) {
    this.rate = rate;
  }

  /** True once no further start will come (past the end, or the count is reached). */
  get finished(): boolean {
    return this.over;
  }

  /** Run-wide starts considered so far (owned by this share or not). */
  get runWideIndex(): number {
    return this.k;
  }

  /**
   * Time (ms since the stage start) of this share's next start when it is at or before `horizonMs`,
   * else NaN. Integrates no further than one step past the horizon, so a rate change announced for a
   * later instant applies identically in every thread. Does not consume the start: call take().
   */
  nextTime(horizonMs: number): number {
    if (!Number.isNaN(this.pending)) return this.pending <= horizonMs ? this.pending : Number.NaN;
    if (this.over) return Number.NaN;
    while (this.k < this.limit && !this.share.owns(this.k)) this.k++;
    if (this.k >= this.limit) return this.finish();
    for (;;) {
      const tNext = (this.j + 1) * STEP_MS;
      if (Number.isNaN(this.areaNext)) {
        if (tNext > horizonMs + STEP_MS) return Number.NaN;
        const rate = Math.max(0, this.rate((tNext - STEP_MS / 2) / 1000) || 0);
        this.areaNext = this.areaJ + (rate * STEP_MS) / 1000;
      }
      if (this.areaNext > this.k) {
        const t = this.j * STEP_MS + (STEP_MS * (this.k - this.areaJ)) / (this.areaNext - this.areaJ);
        if (t >= this.endMs - END_SLACK_MS) return this.finish();
        this.pending = t;
        return t <= horizonMs ? t : Number.NaN;
      }
      if (tNext >= this.endMs - END_SLACK_MS) return this.finish();
      if (tNext > horizonMs) return Number.NaN;
      this.j++;
      this.areaJ = this.areaNext;
      this.areaNext = Number.NaN;
    }
  }

  /** Consumes the start last returned by nextTime(). */
  take(): void {
    if (Number.isNaN(this.pending)) throw new Error('ArrivalSchedule.take() without a due start');
    this.pending = Number.NaN;
    this.k++;
  }

  /**
   * Follows `rate` from `fromMs` (ms since the stage start) on; what was integrated before stays.
   * Manual regulation: the pool announces the instant so that every thread switches at the same one.
   */
  setRate(rate: RateFunction, fromMs: number): void {
    const before = this.rate;
    const fromS = fromMs / 1000;
    this.rate = (t) => (t < fromS ? before(t) : rate(t));
    if ((this.j + 1) * STEP_MS > fromMs) {
      this.areaNext = Number.NaN;
      this.pending = Number.NaN;
    }
  }

  /** Moves the end of the stage (manual regulation extends or shortens it). */
  setEnd(endMs: number): void {
    this.endMs = endMs;
    if (!Number.isNaN(this.pending) && this.pending >= endMs) this.pending = Number.NaN;
    if (this.j * STEP_MS < endMs && this.k < this.limit) this.over = false;
  }

  private finish(): number {
    this.over = true;
    this.pending = Number.NaN;
    return Number.NaN;
  }
}
