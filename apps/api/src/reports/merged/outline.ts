/**
 * show_merge_report_logs_outline: the outline of a whole task run, summed over its case runs. Counts
 * and response-code sums add the v1 reports' `performance` rows; percentiles, the mean and the
 * extremes come from the case runs' request histograms merged; per-second figures (peak users, peak
 * RPS, traffic) add the case runs' series second by second, so cases that ran in parallel add up
 * and cases that ran one after another do not. Rates are per second from the task run's first to
 * its last second with data, less the seconds a case run was down (all its shares interrupted) while
 * no case run wrote anything. For a task run of one case every figure equals that case's v1 report.
 */
import { addCounters, Col, emptyCell, summarize, type CaseRunAccumulator } from '@perftest/engine';
import type { ReportOutlineResult } from '@perftest/model';
import { isoTime } from '../../http/time.js';
import type { Report } from '../build-report.js';
import { downRanges } from '../downtime.js';
import { round } from '../round.js';
import type { ReportMeta } from '../report-meta.js';
import type { MergedTaskRun } from '../../storage/merged-reports.js';
import { protocolNames, whole, wholePercent } from './figures.js';

/** One case run of the task run with its accumulation and v1 report. */
export interface CaseRunPart {
  meta: ReportMeta;
  acc: CaseRunAccumulator;
  report: Report;
}

/** Per-second sums over the case runs. */
interface Second {
  rows: number;
  users: number;
  requests: number;
  sent: number;
  received: number;
  dropped: number;
}

/** Adds every case run's series into one map of seconds. */
function secondsOf(parts: readonly CaseRunPart[]): Map<number, Second> {
  const seconds = new Map<number, Second>();
  for (const { acc } of parts) {
    const s = acc.series;
    for (let t = s.first; t <= s.last; t++) {
      let sum = seconds.get(t);
      if (sum === undefined) {
        sum = { rows: 0, users: 0, requests: 0, sent: 0, received: 0, dropped: 0 };
        seconds.set(t, sum);
      }
      sum.rows += s.get(t, Col.rows);
      sum.users += s.get(t, Col.users);
      sum.requests += s.get(t, Col.requests);
      sum.sent += s.get(t, Col.sentBytes);
      sum.received += s.get(t, Col.recBytes);
      sum.dropped += s.get(t, Col.dropped);
    }
  }
  return seconds;
}

/** The merged outline of `run` from its case runs. */
export function mergedOutline(run: MergedTaskRun, parts: readonly CaseRunPart[]): ReportOutlineResult {
  const total = emptyCell();
  let transactionsOk = 0;
  let vum = 0;
  const kpi = { count: 0, executed: 0, passed: 0 };
  for (const { acc, report } of parts) {
    const requests = acc.requestTotals();
    addCounters(total, requests);
    if (requests.requests > 0) total.histogram.add(requests.histogram);
    transactionsOk += Number(report.details.data[0].performance.transactionSuccess ?? 0);
    vum += report.taskInfo.vum;
    kpi.count += Number(report.outline.kpiCaseCount);
    kpi.executed += Number(report.outline.kpiCaseExecuteCount);
    kpi.passed += Number(report.outline.kpiCasePassCount);
  }
  const sum = summarize(total);
  const seconds = secondsOf(parts);
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  let maxUsers = 0;
  let maxRps = 0;
  let maxSent = 0;
  let maxReceived = 0;
  let maxTraffic = 0;
  let minTraffic = Number.POSITIVE_INFINITY;
  let dropped = 0;
  let maxDropped = 0;
  for (const [t, s] of seconds) {
    dropped += s.dropped;
    maxDropped = Math.max(maxDropped, s.dropped);
    first = Math.min(first, t);
    last = Math.max(last, t);
    maxUsers = Math.max(maxUsers, s.users);
    maxRps = Math.max(maxRps, s.requests);
    maxSent = Math.max(maxSent, s.sent);
    maxReceived = Math.max(maxReceived, s.received);
    maxTraffic = Math.max(maxTraffic, s.sent + s.received);
    if (s.rows > 0) minTraffic = Math.min(minTraffic, s.sent + s.received);
  }
  // Seconds down in a case run (every share interrupted, ../downtime.ts) with no row of any case run.
  const down = new Set<number>();
  for (const { meta } of parts) {
    for (const [start, end] of downRanges(meta.interruptions)) {
      for (let t = Math.max(start, first); t < Math.min(end, last + 1); t++) if (!((seconds.get(t)?.rows ?? 0) > 0)) down.add(t);
    }
  }
  const duration = seconds.size === 0 ? 0 : last - first + 1 - down.size;
  const rate = Math.max(1, duration);
  const counts = parts[0]?.meta.caseRuns ?? { total: 0, executed: 0, complete: 0, passed: 0 };
  const lastWithData = [...parts].reverse().find((p) => p.acc.series.span > 0);
  const startMs = run.startedAt?.getTime() ?? (seconds.size === 0 ? null : first * 1000);
  const endMs = run.endedAt?.getTime() ?? (seconds.size === 0 ? null : (last + 1) * 1000);
  return {
    err_message: null,
    outline: {
      core_index: {
        error_request_count: sum.errorCount,
        max_rps: maxRps,
        max_users: maxUsers,
        request_count: sum.requests,
        rps: round(sum.requests / rate, 3),
        success_count: sum.successCount,
        success_rate: wholePercent(round(sum.successRate, 2)),
        trans_tps: round(transactionsOk / rate, 3),
        response_time: {
          avg_response_time: round(sum.avgUs / 1000, 3),
          avg_tp50: whole(sum.percentiles.tp50 / 1000),
          avg_tp90: whole(sum.percentiles.tp90 / 1000),
          max_response_time: whole(sum.maxUs / 1000),
          min_response_time: whole(sum.minUs / 1000),
        },
        dropped_starts: dropped,
        max_dropped_starts_per_second: maxDropped,
        aborted_requests: parts.reduce((n, { report }) => n + Number(report.outline.abortedRequests ?? 0), 0),
      },
      exception_response_sum: {
        failed_assert: sum.outcomes.checkPointFailed,
        failed_others: sum.outcomes.othersFailed,
        failed_parsed: sum.outcomes.parsedFailed,
        failed_refused: sum.outcomes.refusedFailed,
        failed_timeout: sum.outcomes.timeout,
      },
      network_traffic: {
        avg_network_traffic: round((sum.sentBytes + sum.recBytes) / rate, 2),
        max_down_stream: maxReceived,
        max_network_traffic: maxTraffic,
        max_upstream: maxSent,
        min_network_traffic: Number.isFinite(minTraffic) ? minTraffic : 0,
      },
      response_code_sum: { sum1xx: sum.sum1xx, sum2xx: sum.sum2xx, sum3xx: sum.sum3xx, sum4xx: sum.sum4xx, sum5xx: sum.sum5xx },
      task_basic_attribute: {
        branch_id: '',
        branch_name: '',
        create_by: '',
        iteration_uri: '',
        project_id: String(run.testSuiteId),
        protocols: protocolNames(parts.flatMap((p) => p.meta.cards)),
        service_id: '',
        stage: whole(lastWithData?.report.outline.stage ?? 0),
        stage_name: String(lastWithData?.report.outline.stageName ?? ''),
        task_id: String(run.taskId),
        version_uri: '',
      },
      task_basic_execution_data: {
        complete_num: counts.complete,
        duration,
        end_time: isoTime(endMs),
        executed_num: counts.executed,
        kpi_case_count: kpi.count,
        kpi_case_execute_count: kpi.executed,
        kpi_case_pass_count: kpi.passed,
        parallel: run.parallel,
        pass_num: counts.passed,
        start_time: isoTime(startMs ?? run.createdAt),
        task_status: run.status,
        total_num: counts.total,
        vum: whole(vum),
      },
      response_code_details: [],
      sla_statistic: null,
      streaming_media: null,
    },
  };
}
