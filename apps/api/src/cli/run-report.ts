/**
 * `perftest run ... --html FILE`: the run's report built as the report endpoint builds a case run's
 * (apps/api/src/reports, its seconds folded as one share's rows), rendered as @perftest/report's
 * self-contained HTML report (the same file as the console's export), written to FILE.
 */
import { writeFile } from 'node:fs/promises';
import { CaseRunAccumulator, type CliRunRecord } from '@perftest/engine';
import { RunStatus } from '@perftest/model';
import type { ReportResult } from '@perftest/report';
import { DEFAULT_BROKENS_LIMIT } from '../reports/brokens.js';
import { buildReport, type Report } from '../reports/build-report.js';
import type { ReportMeta } from '../reports/report-meta.js';

/** The report of a run of the CLI (`result` of the report endpoint). */
export function cliRunReport(record: CliRunRecord): Report {
  const acc = new CaseRunAccumulator();
  for (const interval of record.intervals) {
    acc.fold({ case_run_id: 0, share_index: 0, worker_id: 'cli', second: interval.second, data: interval });
  }
  const status = record.summary.end === 'stopped' ? RunStatus.StoppedByUser : RunStatus.Finished;
  const meta: ReportMeta = {
    testSuiteId: 0,
    taskId: 0,
    taskRunId: 0,
    taskRunStatus: status,
    taskRunCreatedAt: new Date(record.summary.startedAt),
    caseRunId: 0,
    caseId: record.case.case_id ?? null,
    caseName: record.case.name ?? 'case',
    caseRunStatus: status,
    reason: null,
    interruptions: [],
    startAt: new Date(record.summary.startedAt),
    endedAt: new Date(record.summary.endedAt),
    cards: [...record.cards],
    kase: record.case,
    plan: undefined, // planned from the case
    caseRuns: { total: 1, executed: 1, complete: 1, passed: status === RunStatus.Finished ? 1 : 0 },
  };
  return buildReport(meta, acc, DEFAULT_BROKENS_LIMIT);
}

/** Writes the HTML report of a CLI run to `file` (building the report page first when its build is stale). */
export async function writeRunHtml(file: string, record: CliRunRecord): Promise<void> {
  const result = cliRunReport(record);
  const { ensureReportBuilt } = await import('@perftest/report/build');
  await ensureReportBuilt();
  const { renderReportHtml } = await import('@perftest/report');
  // the report endpoint's JSON is what the report page reads (its types name the keys it draws)
  const input = { result: result as unknown as ReportResult };
  await writeFile(file, renderReportHtml(input, { name: record.case.name ?? 'case' }));
}
