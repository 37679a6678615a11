/**
 * Exact merging of statistics from any number of threads, workers and seconds: counters are summed,
 * min/max combined and histograms added bucket by bucket (into compact histograms), so percentiles
 * of a merge equal those of one histogram fed every value.
 */
import { OUTCOMES, PACKED_STATS as P, type EncodedStats, type IntervalMessage, type Outcome, type PackedStats, type StatsCounters } from '@perftest/model';
import { CompactHistogram } from './compact-histogram.js';
import { decodeInto, encodeHistogram } from './histogram.js';

/** Merged counters with their histogram (its used buckets only). */
export interface MergedStats extends StatsCounters {
  histogram: CompactHistogram;
  /** A failure reason of the merged cells (the first seen). */
  error?: string;
}

/** Several intervals merged: typically the threads and workers of one second, or a range of seconds. */
export interface MergedInterval {
  /** The latest second among the merged intervals. */
  second: number;
  /** Users at the latest second: the sum over the intervals of that second (one per thread/worker). */
  users: number;
  /** Iterations started and dropped, summed over every merged interval. */
  started: number;
  dropped: number;
  /** Requests aborted in flight by a stop or the plan's end, summed. */
  aborted: number;
  /** Stage index of the latest second (the highest when they differ). */
  stage: number;
  iterations: MergedStats;
  cards: Map<string, MergedStats>;
}

/** Zeroed counters (no requests: min and max are 0 until the first cell with requests is added). */
export function emptyCounters(): StatsCounters {
  const outcomes = {} as Record<Outcome, number>;
  for (const o of OUTCOMES) outcomes[o] = 0;
  return { requests: 0, outcomes, statusClasses: [0, 0, 0, 0, 0], sentBytes: 0, recBytes: 0, rtSumUs: 0, rtMinUs: 0, rtMaxUs: 0 };
}

/** Adds the counters of `stats` to `target`: sums, and min/max over the cells that had requests. */
export function addCounters(target: StatsCounters, stats: StatsCounters): void {
  if (stats.requests > 0) {
    target.rtMinUs = target.requests === 0 ? stats.rtMinUs : Math.min(target.rtMinUs, stats.rtMinUs);
    target.rtMaxUs = target.requests === 0 ? stats.rtMaxUs : Math.max(target.rtMaxUs, stats.rtMaxUs);
  }
  target.requests += stats.requests;
  // Spelled out (OUTCOMES order): a report folds this for every card of every row.
  const to = target.outcomes;
  const from = stats.outcomes;
  to.success += from.success ?? 0;
  to.checkPointFailed += from.checkPointFailed ?? 0;
  to.parsedFailed += from.parsedFailed ?? 0;
  to.refusedFailed += from.refusedFailed ?? 0;
  to.timeout += from.timeout ?? 0;
  to.othersFailed += from.othersFailed ?? 0;
  const tc = target.statusClasses;
  const fc = stats.statusClasses;
  tc[0] += fc[0] ?? 0;
  tc[1] += fc[1] ?? 0;
  tc[2] += fc[2] ?? 0;
  tc[3] += fc[3] ?? 0;
  tc[4] += fc[4] ?? 0;
  target.sentBytes += stats.sentBytes;
  target.recBytes += stats.recBytes;
  target.rtSumUs += stats.rtSumUs;
}

/** addCounters of a cell in its stored form (PACKED_STATS positions; packages/model/src/interval-codec.ts). */
export function addPackedCounters(target: StatsCounters, cell: PackedStats): void {
  const requests = cell[P.requests];
  if (requests > 0) {
    target.rtMinUs = target.requests === 0 ? cell[P.rtMinUs] : Math.min(target.rtMinUs, cell[P.rtMinUs]);
    target.rtMaxUs = target.requests === 0 ? cell[P.rtMaxUs] : Math.max(target.rtMaxUs, cell[P.rtMaxUs]);
  }
  target.requests += requests;
  const to = target.outcomes;
  to.success += cell[P.success];
  to.checkPointFailed += cell[P.checkPointFailed];
  to.parsedFailed += cell[P.parsedFailed];
  to.refusedFailed += cell[P.refusedFailed];
  to.timeout += cell[P.timeout];
  to.othersFailed += cell[P.othersFailed];
  const tc = target.statusClasses;
  tc[0] += cell[P.status1xx];
  tc[1] += cell[P.status2xx];
  tc[2] += cell[P.status3xx];
  tc[3] += cell[P.status4xx];
  tc[4] += cell[P.status5xx];
  target.sentBytes += cell[P.sentBytes];
  target.recBytes += cell[P.recBytes];
  target.rtSumUs += cell[P.rtSumUs];
}

/** Empty merged statistics, ready for `addStats`. */
export function emptyMergedStats(): MergedStats {
  return { ...emptyCounters(), histogram: new CompactHistogram() };
}

/** Adds one cell (encoded, or already merged) into `target`; returns `target`. */
export function addStats(target: MergedStats, stats: EncodedStats | MergedStats): MergedStats {
  addCounters(target, stats);
  if (stats.error !== undefined && target.error === undefined) target.error = stats.error;
  if (typeof stats.histogram === 'string') {
    if (stats.requests > 0) decodeInto(target.histogram, stats.histogram, stats.requests);
  } else {
    target.histogram.add(stats.histogram);
  }
  return target;
}

/** Merges any number of cells into new merged statistics. */
export function mergeStats(list: Iterable<EncodedStats | MergedStats>): MergedStats {
  const merged = emptyMergedStats();
  for (const stats of list) addStats(merged, stats);
  return merged;
}

/** Merged statistics back in wire form (for storing aggregates or forwarding them). */
export function encodeStats(stats: MergedStats): EncodedStats {
  return {
    requests: stats.requests,
    outcomes: { ...stats.outcomes },
    statusClasses: [...stats.statusClasses],
    sentBytes: stats.sentBytes,
    recBytes: stats.recBytes,
    rtSumUs: stats.rtSumUs,
    rtMinUs: stats.rtMinUs,
    rtMaxUs: stats.rtMaxUs,
    histogram: encodeHistogram(stats.histogram),
    ...(stats.error === undefined ? {} : { error: stats.error }),
  };
}

/** Merges intervals (see MergedInterval for how users, second and stage combine). */
export function mergeIntervals(list: Iterable<IntervalMessage>): MergedInterval {
  const merged: MergedInterval = {
    second: Number.NEGATIVE_INFINITY,
    users: 0,
    started: 0,
    dropped: 0,
    aborted: 0,
    stage: 0,
    iterations: emptyMergedStats(),
    cards: new Map(),
  };
  for (const interval of list) {
    if (interval.second > merged.second) {
      merged.second = interval.second;
      merged.users = interval.users;
      merged.stage = interval.stage;
    } else if (interval.second === merged.second) {
      merged.users += interval.users;
      merged.stage = Math.max(merged.stage, interval.stage);
    }
    merged.started += interval.started;
    merged.dropped += interval.dropped;
    merged.aborted += interval.aborted ?? 0;
    addStats(merged.iterations, interval.iterations);
    for (const key of Object.keys(interval.cards)) {
      let card = merged.cards.get(key);
      if (card === undefined) {
        card = emptyMergedStats();
        merged.cards.set(key, card);
      }
      addStats(card, interval.cards[key]);
    }
  }
  if (merged.second === Number.NEGATIVE_INFINITY) merged.second = 0;
  return merged;
}

/** A merged interval back in wire form. */
export function encodeInterval(merged: MergedInterval): IntervalMessage {
  const cards: Record<string, EncodedStats> = {};
  for (const [key, stats] of merged.cards) cards[key] = encodeStats(stats);
  const interval: IntervalMessage = {
    type: 'interval',
    second: merged.second,
    users: merged.users,
    started: merged.started,
    dropped: merged.dropped,
    stage: merged.stage,
    iterations: encodeStats(merged.iterations),
    cards,
  };
  if (merged.aborted > 0) interval.aborted = merged.aborted;
  return interval;
}
