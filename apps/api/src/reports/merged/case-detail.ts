/**
 * show_merge_case_detail: a case run's table as the SDK's CaseReportDetails reads it. Every figure
 * is the v1 report's (built from the same accumulation by buildReport), under the SDK's keys, with
 * the integer-typed ones rounded (figures.ts); `detailId` carries the merged ids (ids.ts) and
 * `awId` a request row's card key. `maxRps` / `maxTps` are the busiest second's requests and
 * successes, from the same per-second columns as the curves.
 */
import { DatumType, type CaseReportDetail, type CaseReportDetailResult } from '@perftest/model';
import { CardCol, Col, type CaseRunAccumulator } from '@perftest/engine';
import type { Report } from '../build-report.js';
import type { DetailRow } from '../details.js';
import type { ReportMeta } from '../report-meta.js';
import { numberOrNull, peaks, protocolNames, textOrNull, whole, wholePercent } from './figures.js';
import { caseDetailId, requestDetailId, requestKeys } from './ids.js';

/** What a merged row adds to the v1 row it comes from. */
interface RowExtras {
  detailId: string;
  awId: string | null;
  datumType: number;
  protocols: string[];
  peaks: [number, number];
}

/** A v1 report row under the SDK's CaseReportDetail keys. */
function mergedRow(v1: DetailRow, report: Report, meta: ReportMeta, extras: RowExtras): CaseReportDetail {
  return {
    id: String(v1.id),
    detailId: extras.detailId,
    awId: extras.awId,
    name: String(v1.name),
    url: textOrNull(v1.url),
    isAW: v1.isAW === true,
    datumType: extras.datumType,
    caseUri: textOrNull(v1.caseUri),
    testCaseUri: textOrNull(v1.testCaseUri),
    taskId: String(v1.taskId),
    taskProjectId: String(v1.taskProjectId),
    projectId: String(meta.testSuiteId),
    status: whole(v1.status),
    taskStatus: whole(v1.taskStatus),
    result: whole(v1.result),
    stage: whole(report.outline.stage),
    duration: whole(report.outline.duration),
    protocols: extras.protocols,
    createTime: String(v1.createTime),
    updateTime: String(v1.updateTime),
    startTime: textOrNull(v1.startTime),
    endTime: textOrNull(v1.endTime),
    requests: whole(v1.requests),
    successCount: whole(v1.successCount),
    errorCount: whole(v1.errorCount),
    successRate: wholePercent(v1.successRate),
    errorEventsCount: whole(v1.errorEventsCount),
    failedAssert: whole(v1.failedAssert),
    failedParsed: whole(v1.failedParsed),
    failedRefused: whole(v1.failedRefused),
    failedTimeout: whole(v1.failedTimeout),
    failedOthers: whole(v1.failedOthers),
    sum1xx: whole(v1.sum1xx),
    sum2xx: whole(v1.sum2xx),
    sum3xx: whole(v1.sum3xx),
    sum4xx: whole(v1.sum4xx),
    sum5xx: whole(v1.sum5xx),
    averageRespTime: Number(v1.averageRespTime),
    min: whole(v1.min),
    max: whole(v1.max),
    maxRespTime: whole(v1.maxRespTime),
    tp50: whole(v1.tp50),
    tp75: whole(v1.tp75),
    tp85: whole(v1.tp85),
    tp90: whole(v1.tp90),
    tp95: whole(v1.tp95),
    tp99: whole(v1.tp99),
    tp999: whole(v1.tp999),
    tp9999: whole(v1.tp9999),
    tps: Number(v1.tps),
    maxRps: extras.peaks[0],
    maxTps: extras.peaks[1],
    currentThreadNum: whole(v1.currentThreadNum),
    avgSentBytes: Number(v1.avgSentBytes),
    avgRecBytes: Number(v1.avgRecBytes),
    maxSentBytes: whole(v1.maxSentBytes),
    maxRecBytes: whole(v1.maxRecBytes),
    avgNetworkTraffic: Number(v1.avgNetworkTraffic),
    maxNetworkTraffic: whole(v1.maxNetworkTraffic),
    minNetworkTraffic: whole(v1.minNetworkTraffic),
    transactionId: textOrNull(v1.transactionId),
    transactions: numberOrNull(v1.transactions),
    transactionSuccess: numberOrNull(v1.transactionSuccess),
    tranTPS: Number(v1.tranTPS),
    avgTranRespTime: Number(v1.avgTranRespTime),
    maxTranRespTime: Number(v1.maxTranRespTime),
  };
}

/** The merged case detail of `meta`'s case run from its v1 report and accumulation. */
export function mergedCaseDetail(meta: ReportMeta, acc: CaseRunAccumulator, report: Report): CaseReportDetailResult {
  const [item] = report.details.data;
  const series = acc.series;
  const cards = new Map(meta.cards.map((c) => [c.key, c]));
  const keys = requestKeys(meta, acc.cards.keys());
  const performance = mergedRow(item.performance, report, meta, {
    detailId: caseDetailId(meta.caseRunId),
    awId: null,
    datumType: DatumType.Case,
    protocols: protocolNames(meta.cards),
    peaks: peaks(series, Col.requests, Col.success),
  });
  const detailDatas = item.detailDatas.map((row, i) => {
    const key = keys[i];
    const card = cards.get(key);
    const seconds = acc.cards.get(key)?.seconds;
    return mergedRow(row, report, meta, {
      detailId: requestDetailId(meta.caseRunId, i + 1),
      awId: key,
      datumType: DatumType.Request,
      protocols: card === undefined ? [] : protocolNames([card]),
      peaks: seconds === undefined ? [0, 0] : [seconds.max(CardCol.requests), seconds.max(CardCol.success)],
    });
  });
  return { detail: { customTransactions: [], detailDatas, performance }, err_message: '' };
}
