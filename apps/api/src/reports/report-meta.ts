/**
 * The time window a report's figures cover, from what storage read of its case run
 * (storage/case-run-meta.ts) and the seconds its intervals hold.
 */
import { ENDED_RUN_STATUSES } from '@perftest/model';
import type { SecondSeries } from '@perftest/engine';
import type { ReportMeta } from '../storage/case-run-meta.js';
import { downSeconds } from './downtime.js';

export type { ReportMeta } from '../storage/case-run-meta.js';

/** The time a report covers. */
export interface RunWindow {
  /** Start: stage 0, else the first second with data; null before either exists. */
  startMs: number | null;
  /** End: when the case run ended, else the end of its latest second; null before any data. */
  endMs: number | null;
  /** Seconds from the first to the last with data, less `downSeconds` (the report's `duration`). */
  seconds: number;
  /** Whole seconds in that span during which every share had lost its worker (downtime.ts). */
  downSeconds: number;
  /** The divisor of per-second rates: `seconds`, at least 1. */
  rateSeconds: number;
  /** Whether the case run has ended (final figures). */
  ended: boolean;
}

/** Statuses after which a case run writes nothing more. */
const ENDED: ReadonlySet<number> = new Set(ENDED_RUN_STATUSES);

/** The window of a case run's report. */
export function runWindow(meta: ReportMeta, series: SecondSeries): RunWindow {
  const span = series.span;
  const down = span > 0 ? downSeconds(meta.interruptions, series.first, series.last) : 0;
  const seconds = span - down;
  const startMs = meta.startAt?.getTime() ?? (span > 0 ? series.first * 1000 : null);
  const endMs = meta.endedAt?.getTime() ?? (span > 0 ? (series.last + 1) * 1000 : null);
  return { startMs, endMs, seconds, downSeconds: down, rateSeconds: Math.max(1, seconds), ended: ENDED.has(meta.caseRunStatus) };
}
