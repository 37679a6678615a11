/**
 * What a finished case run amounts to: the run's intervals added up exactly (counters summed,
 * histograms merged) into report figures for the case iterations, each request card and all
 * requests together.
 */
import type { CardInfo, IntervalMessage } from '@perftest/model';
import { addStats, emptyMergedStats, type MergedStats } from '../metrics/merge.js';
import { summarize, type StatsSummary } from '../metrics/summary.js';
import type { StepResult } from '../types.js';

/** How a run ended. */
export type RunEnd = 'finished' | 'stopped';

/** The totals of one case run. */
export interface RunSummary {
  end: RunEnd;
  /** Epoch ms of the start of stage 0 and of the end of the run. */
  startedAt: number;
  endedAt: number;
  /** Seconds from start to end. */
  durationS: number;
  /** Intervals (seconds) the run emitted. */
  seconds: number;
  /** Highest number of active users seen at the end of a second. */
  maxUsers: number;
  /** Iterations started, and TPS starts dropped for want of a free user. */
  started: number;
  dropped: number;
  /** Requests aborted in flight by a stop or the plan's end (docs/run-lifecycle.md#stop): in no count. */
  aborted: number;
  /** Per case iteration (transaction). */
  iterations: StatsSummary;
  /** Every request of every card together. */
  requests: StatsSummary;
  /** Per request card, by CardInfo.key (empty when the run was started with `cardSummaries: false`). */
  cards: Record<string, StatsSummary>;
  /** Finished steps of intelligent high pressure stages (empty otherwise). */
  steps: StepResult[];
}

/** Adds up a run's intervals as they are emitted. */
export class RunTotals {
  private readonly iterations = emptyMergedStats();
  private readonly requests = emptyMergedStats();
  private readonly cards = new Map<string, MergedStats>();
  private seconds = 0;
  private maxUsers = 0;
  private started = 0;
  private dropped = 0;
  private aborted = 0;

  /**
   * `cards`: the case's request cards, each summarized even when it recorded nothing; `perCard`
   * false keeps only the case-wide totals (a caller that reads its report from the stored intervals
   * does not pay a merged histogram per card for the whole run).
   */
  constructor(
    private readonly known: readonly CardInfo[],
    private readonly perCard = true,
  ) {}

  /** Adds one (merged) interval. */
  add(interval: IntervalMessage): void {
    this.seconds++;
    this.maxUsers = Math.max(this.maxUsers, interval.users);
    this.started += interval.started;
    this.dropped += interval.dropped;
    this.aborted += interval.aborted ?? 0;
    addStats(this.iterations, interval.iterations);
    for (const key of Object.keys(interval.cards)) {
      const stats = interval.cards[key];
      addStats(this.requests, stats);
      if (!this.perCard) continue;
      let card = this.cards.get(key);
      if (card === undefined) {
        card = emptyMergedStats();
        this.cards.set(key, card);
      }
      addStats(card, stats);
    }
  }

  /** The summary of everything added. */
  summary(end: RunEnd, startedAt: number, endedAt: number, steps: readonly StepResult[]): RunSummary {
    const cards: Record<string, StatsSummary> = {};
    if (this.perCard) for (const card of this.known) cards[card.key] = summarize(this.cards.get(card.key) ?? emptyMergedStats());
    for (const [key, stats] of this.cards) cards[key] ??= summarize(stats);
    return {
      end,
      startedAt,
      endedAt,
      durationS: Math.max(0, (endedAt - startedAt) / 1000),
      seconds: this.seconds,
      maxUsers: this.maxUsers,
      started: this.started,
      dropped: this.dropped,
      aborted: this.aborted,
      iterations: summarize(this.iterations),
      requests: summarize(this.requests),
      cards,
      steps: [...steps],
    };
  }
}
