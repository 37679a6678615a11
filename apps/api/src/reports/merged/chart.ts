/**
 * show_task_case_aw_chart: the curves and response-time distribution of a case run, for the whole
 * case (its `testcaseId`) or narrowed to one request card (its `caseAwId`). The whole case's are the
 * v1 report's `brokens` and `respTimeRange`; a card's are built by the same functions from the
 * card's own per-second columns and whole-run histogram (virtual users stay the case's).
 */
import { summarize } from '@perftest/engine';
import type { TaskCaseAwChartResult } from '@perftest/model';
import { emptyCell, type CaseRunAccumulator } from '../accumulator.js';
import { buildBrokens, type Brokens } from '../brokens.js';
import type { Report } from '../build-report.js';
import { respTimeRange } from '../resp-time-range.js';
import { CardCol, CASE_COLUMNS, Col, SecondSeries } from '../second-series.js';

/** The case columns a card's columns stand in for when its curves are drawn. */
const CARD_STANDS_IN: ReadonlyArray<readonly [number, number]> = [
  [Col.requests, CardCol.requests],
  [Col.success, CardCol.success],
  [Col.checkPointFailed, CardCol.checkPointFailed],
  [Col.parsedFailed, CardCol.parsedFailed],
  [Col.refusedFailed, CardCol.refusedFailed],
  [Col.timeout, CardCol.timeout],
  [Col.othersFailed, CardCol.othersFailed],
  [Col.rtSumUs, CardCol.rtSumUs],
  [Col.sentBytes, CardCol.sentBytes],
  [Col.recBytes, CardCol.recBytes],
];

/** A view of `series` in which the case's request columns are those of the card at `column`. */
function cardSeries(series: SecondSeries, column: number): SecondSeries {
  if (series.span === 0) return series;
  const columns: Float64Array[] = [];
  for (let c = 0; c < CASE_COLUMNS; c++) columns.push(series.values(c));
  for (const [caseColumn, offset] of CARD_STANDS_IN) columns[caseColumn] = series.values(column + offset);
  return SecondSeries.fromColumns(series.first, columns);
}

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
  acc.settle();
  const column = acc.bytesColumn(key);
  const series = column === undefined ? new SecondSeries(CASE_COLUMNS) : cardSeries(acc.series, column);
  const buckets = summarize(acc.cards.get(key) ?? emptyCell()).rtBuckets;
  return { broken_list: brokenList(buildBrokens(series, limit)), err_message: '', resp_time_range: { ...respTimeRange(buckets) } };
}
