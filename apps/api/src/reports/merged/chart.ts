/**
 * show_task_case_aw_chart: the curves and response-time distribution of a case run, for the whole
 * case (its `testcaseId`) or narrowed to one request card (its `caseAwId`). The whole case's are the
 * v1 report's `brokens` and `respTimeRange`; a card's are built by the same functions from the
 * card's own seconds (CardSeries.asCase) and whole-run histogram (virtual users stay the case's).
 */
import { CASE_COLUMNS, SecondSeries, type CaseRunAccumulator } from '@perftest/engine';
import type { TaskCaseAwChartResult } from '@perftest/model';
import { buildBrokens, type Brokens } from '../brokens.js';
import type { Report } from '../build-report.js';
import { respTimeRange } from '../resp-time-range.js';

/** BrokenList: the v1 curves plus the SDK's optional groups (none here). */
function brokenList(brokens: Brokens): TaskCaseAwChartResult['broken_list'] {
  return { ...brokens, performance_load: null, rtmp_brokens: null, streaming_error_brokens: null };
}

/** The chart of the whole case run. */
export function caseChart(report: Report): TaskCaseAwChartResult {
  return { broken_list: brokenList(report.brokens), err_message: '', resp_time_range: { ...report.respTimeRange } };
}

/** The chart of the request card `key` with at most `limit` points per curve. */
export function cardChart(acc: CaseRunAccumulator, key: string, limit: number): TaskCaseAwChartResult {
  const seconds = acc.cards.get(key)?.seconds;
  const series = seconds === undefined ? new SecondSeries(CASE_COLUMNS) : seconds.asCase(acc.series);
  const buckets = acc.cardSummary(key).rtBuckets;
  return { broken_list: brokenList(buildBrokens(series, limit)), err_message: '', resp_time_range: { ...respTimeRange(buckets) } };
}
