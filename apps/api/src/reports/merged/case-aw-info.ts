/**
 * show_merge_task_case: one CaseAwInfo per case run of a task run, naming the case run and its
 * request cards with the ids the merged case detail and chart use (ids.ts).
 */
import { DatumType, type CaseAwInfo, type DetailItem } from '@perftest/model';
import type { ReportMeta } from '../report-meta.js';
import { caseDetailId, requestDetailId } from './ids.js';

/** The CaseAwInfo of one case run, with the starts it dropped. */
export function caseAwInfo(meta: ReportMeta, droppedStarts: number): CaseAwInfo {
  const id = caseDetailId(meta.caseRunId);
  const requests: DetailItem[] = meta.cards.map((card, i) => ({
    caseAwId: requestDetailId(meta.caseRunId, i + 1),
    datumType: DatumType.Request,
    name: card.name,
    transactionId: null,
    awList: [],
  }));
  return {
    aw: requests.map((r) => ({ name: r.name, id: r.caseAwId, datumType: r.datumType })),
    awList: requests,
    caseAwId: id,
    caseUri: meta.caseId === null ? null : String(meta.caseId),
    case_uri_i: id,
    datumType: DatumType.Case,
    id,
    name: meta.caseName,
    taskExecId: String(meta.taskRunId),
    taskId: String(meta.taskId),
    testcaseId: id,
    transactionList: [],
    droppedStarts,
  };
}
