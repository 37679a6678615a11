/**
 * The report's table (`details`): one item for the case run, holding `performance` (the case: all
 * its requests, plus its iterations as transactions) and `detailDatas` (one row per request card,
 * in the case's order, one page of at most MAX_DETAIL_ROWS of them: `detailPageIndex`,
 * `detailPageSize` and `detailTotal` say which). Keys are those of the SDK's PerformanceInfo and
 * DetailDataInfo plus `tp85`, `rps`, `method` and `url`. Times are milliseconds (percentiles are the
 * merged histograms' values divided by 1000, unrounded); rates are per second of data; bytes are
 * bytes (`avg*Bytes` per request, `max*Bytes` the busiest second, `*NetworkTraffic` sent plus
 * received per second).
 */
import { CardCol, Col, summarize, type CardSeries, type CaseRunAccumulator, type SecondSeries, type StatsSummary } from '@perftest/engine';
import { isoTime } from '../http/time.js';
import type { ReportMeta, RunWindow } from './report-meta.js';
import { round } from './round.js';

/** Detail rows per page at most, and when the query leaves `details_page_size` out. */
export const MAX_DETAIL_ROWS = 1000;

/** Which detail rows a report holds: page `index` (1-based) of `size` rows. */
export interface DetailPage {
  index: number;
  size: number;
}

/** One row of the table (PerformanceInfo / DetailDataInfo). */
export type DetailRow = Record<string, string | number | boolean | null>;

/** `details` as the SDK's ReportdetailsInfo reads it. */
export interface Details {
  data: Array<{ customTransactions: string[]; detailDatas: DetailRow[]; performance: DetailRow }>;
  pageIndex: number;
  pageSize: number;
  total: number;
  /** The page of `detailDatas` (1-based), its size, and the number of request cards in all. */
  detailPageIndex: number;
  detailPageSize: number;
  detailTotal: number;
}

/** Case-level figures every row repeats. */
export interface CaseFigures {
  /** Highest number of active users in a second. */
  maxUsers: number;
  /** Virtual-user minutes: the sum of active users per second / 60. */
  vum: number;
  /** Iterations started by the engine (TPS modes schedule them; docs/reports.md). */
  startedIterations: number;
  /** Starts dropped because every user was busy past the start wait: in total, and the most in one second. */
  droppedStarts: number;
  droppedStartsMaxPerSecond: number;
  /** Requests sent before a stop and aborted in flight when its grace was over: in no count (docs/run-lifecycle.md#stop). */
  abortedRequests: number;
}

/** Peak users and VUM of a series, and its dropped starts. */
export function caseFigures(series: SecondSeries): CaseFigures {
  let maxUsers = 0;
  let userSeconds = 0;
  let started = 0;
  let dropped = 0;
  let droppedMax = 0;
  let aborted = 0;
  for (let s = series.first; s <= series.last; s++) {
    const users = series.get(s, Col.users);
    userSeconds += users;
    if (users > maxUsers) maxUsers = users;
    started += series.get(s, Col.started);
    const d = series.get(s, Col.dropped);
    dropped += d;
    if (d > droppedMax) droppedMax = d;
    aborted += series.get(s, Col.aborted);
  }
  return {
    maxUsers,
    vum: round(userSeconds / 60, 2),
    startedIterations: started,
    droppedStarts: dropped,
    droppedStartsMaxPerSecond: droppedMax,
    abortedRequests: aborted,
  };
}

/** Per-second byte peaks and traffic, fed one second at a time. */
class TrafficPeaks {
  private maxSent = 0;
  private maxRec = 0;
  private maxTotal = 0;
  private minTotal = Number.POSITIVE_INFINITY;
  private total = 0;

  /** One second's bytes; `quietest` says whether it may be the quietest second. */
  add(sent: number, rec: number, quietest = true): void {
    this.total += sent + rec;
    if (sent > this.maxSent) this.maxSent = sent;
    if (rec > this.maxRec) this.maxRec = rec;
    if (sent + rec > this.maxTotal) this.maxTotal = sent + rec;
    if (quietest && sent + rec < this.minTotal) this.minTotal = sent + rec;
  }

  /** A second with no bytes at all (the quietest possible). */
  addSilence(): void {
    this.minTotal = 0;
  }

  fields(rateSeconds: number) {
    return {
      maxSentBytes: this.maxSent,
      maxRecBytes: this.maxRec,
      avgNetworkTraffic: round(this.total / rateSeconds, 2),
      maxNetworkTraffic: this.maxTotal,
      minNetworkTraffic: Number.isFinite(this.minTotal) ? this.minTotal : 0,
    };
  }
}

/** Per-second byte peaks and traffic of one pair of (sent, received) columns. */
function traffic(series: SecondSeries, sentColumn: number, recColumn: number, rateSeconds: number) {
  const peaks = new TrafficPeaks();
  for (let s = series.first; s <= series.last; s++) {
    peaks.add(series.get(s, sentColumn), series.get(s, recColumn), series.get(s, Col.rows) > 0);
  }
  return peaks.fields(rateSeconds);
}

/** The figures of a row that come from one cell's statistics. */
function statsFields(sum: StatsSummary, rateSeconds: number): DetailRow {
  const ms = (us: number) => us / 1000;
  const p = sum.percentiles;
  return {
    requests: sum.requests,
    successCount: sum.successCount,
    errorCount: sum.errorCount,
    successRate: round(sum.successRate, 2),
    failedAssert: sum.outcomes.checkPointFailed,
    failedParsed: sum.outcomes.parsedFailed,
    failedRefused: sum.outcomes.refusedFailed,
    failedTimeout: sum.outcomes.timeout,
    failedOthers: sum.outcomes.othersFailed,
    sum1xx: sum.sum1xx,
    sum2xx: sum.sum2xx,
    sum3xx: sum.sum3xx,
    sum4xx: sum.sum4xx,
    sum5xx: sum.sum5xx,
    averageRespTime: round(ms(sum.avgUs), 3),
    min: ms(sum.minUs),
    max: ms(sum.maxUs),
    maxRespTime: ms(sum.maxUs),
    tp50: ms(p.tp50),
    tp75: ms(p.tp75),
    tp85: ms(p.tp85),
    tp90: ms(p.tp90),
    tp95: ms(p.tp95),
    tp99: ms(p.tp99),
    tp999: ms(p.tp999),
    tp9999: ms(p.tp9999),
    tps: round(sum.successCount / rateSeconds, 3),
    rps: round(sum.requests / rateSeconds, 3),
    avgSentBytes: sum.requests === 0 ? 0 : round(sum.sentBytes / sum.requests, 2),
    avgRecBytes: sum.requests === 0 ? 0 : round(sum.recBytes / sum.requests, 2),
  };
}

/** The traffic figures of one card, from the seconds it ran in (`secondsWithRows`: of the case). */
function cardTraffic(seconds: CardSeries | undefined, secondsWithRows: number, rateSeconds: number) {
  const peaks = new TrafficPeaks();
  seconds?.forEachSecond((_, f) => peaks.add(f[CardCol.sentBytes], f[CardCol.recBytes]));
  // a second with rows in which the card completed nothing counts as 0
  if ((seconds?.size ?? 0) < secondsWithRows) peaks.addSilence();
  return peaks.fields(rateSeconds);
}

/** Seconds of the series holding at least one row. */
function secondsWithRows(series: SecondSeries): number {
  let n = 0;
  for (let s = series.first; s <= series.last; s++) if (series.get(s, Col.rows) > 0) n++;
  return n;
}

/** Builds `details` for a case run with page `page` of its card rows. `requests`: the request totals' summary. */
export function buildDetails(
  meta: ReportMeta,
  window: RunWindow,
  acc: CaseRunAccumulator,
  requests: StatsSummary,
  figures: CaseFigures,
  page: DetailPage = { index: 1, size: MAX_DETAIL_ROWS },
): Details {
  const series = acc.series;
  const rate = window.rateSeconds;
  const common = {
    caseUri: meta.caseId === null ? null : String(meta.caseId),
    testCaseUri: meta.caseId === null ? null : String(meta.caseId),
    taskId: `${meta.taskId}_${meta.taskRunId}`,
    taskProjectId: String(meta.taskId),
    status: meta.caseRunStatus,
    taskStatus: meta.taskRunStatus,
    result: 0,
    errorEventsCount: 0,
    currentThreadNum: figures.maxUsers,
    vum: figures.vum,
    createTime: isoTime(meta.taskRunCreatedAt),
    updateTime: isoTime(window.endMs ?? meta.taskRunCreatedAt),
    startTime: isoTime(window.startMs),
    endTime: isoTime(window.endMs),
  };
  const iterations = summarize(acc.iterations);
  const performance: DetailRow = {
    id: String(meta.caseRunId),
    detailId: String(meta.caseRunId),
    name: meta.caseName,
    isAW: false,
    ...common,
    ...statsFields(requests, rate),
    ...traffic(series, Col.sentBytes, Col.recBytes, rate),
    transactions: iterations.requests,
    transactionSuccess: iterations.successCount,
    transactionalSuccessRate: round(iterations.successRate, 2),
    tranTPS: round(iterations.successCount / rate, 3),
    avgTranRespTime: round(iterations.avgUs / 1000, 3),
    maxTranRespTime: iterations.maxUs / 1000,
    transactionId: null,
    transactionalTps: 0,
    transactionalTpsSuccess: 0,
    startedIterations: figures.startedIterations,
    droppedStarts: figures.droppedStarts,
    droppedStartsMaxPerSecond: figures.droppedStartsMaxPerSecond,
    abortedRequests: figures.abortedRequests,
  };
  const known = new Map(meta.cards.map((c) => [c.key, c]));
  const keys = [...meta.cards.map((c) => c.key), ...[...acc.cards.keys()].filter((k) => !known.has(k))];
  const size = Math.min(Math.max(1, page.size), MAX_DETAIL_ROWS);
  const offset = (Math.max(1, page.index) - 1) * size;
  const withRows = secondsWithRows(series);
  const detailDatas = keys.slice(offset, offset + size).map((key, at): DetailRow => {
    const position = offset + at;
    const card = known.get(key);
    const stats = statsFields(acc.cardSummary(key), rate);
    return {
      id: `${meta.caseRunId}-${position + 1}`,
      detailId: key,
      name: card?.name ?? key,
      method: card?.method ?? null,
      url: card?.url ?? null,
      isAW: true,
      ...common,
      ...stats,
      ...cardTraffic(acc.cards.get(key)?.seconds, withRows, rate),
      transactions: null,
      transactionSuccess: null,
      transactionalSuccessRate: 0,
      tranTPS: 0,
      avgTranRespTime: stats.averageRespTime,
      maxTranRespTime: stats.max,
      transactionId: '',
      transactionalTps: 0,
      transactionalTpsSuccess: 0,
      // why its requests fail, e.g. "target denied by policy: ..." (docs/security.md)
      failedReason: acc.cards.get(key)?.error ?? null,
    };
  });
  return {
    data: [{ customTransactions: [], detailDatas, performance }],
    pageIndex: 1,
    pageSize: 1,
    total: 1,
    detailPageIndex: Math.max(1, page.index),
    detailPageSize: size,
    detailTotal: keys.length,
  };
}
