/**
 * The ids of the merged (v2) reports. A case run's whole case is `<case_run_id>` (`testcaseId`,
 * `case_uri_i`, the case detail's `performance.detailId`) and its n-th request card (1-based, in the
 * order of the v1 report's `detailDatas`) is `<case_run_id>-<n>` (`caseAwId` in `awList`, `detailId`
 * of that row of `detailDatas`): the same ids as the v1 report's rows carry in `id`. A chart's
 * `detail_id` is one of them.
 */
import type { ReportMeta } from '../report-meta.js';

/** The id of a case run's whole case. */
export function caseDetailId(caseRunId: number): string {
  return String(caseRunId);
}

/** The id of the `position`-th (1-based) request card of a case run. */
export function requestDetailId(caseRunId: number, position: number): string {
  return `${caseRunId}-${position}`;
}

/**
 * The request-card keys of a case run in report order: its cards, then keys its intervals carry
 * that the cards do not name (as the v1 report's `detailDatas` lists them).
 */
export function requestKeys(meta: ReportMeta, folded: Iterable<string> = []): string[] {
  const known = new Set(meta.cards.map((c) => c.key));
  return [...meta.cards.map((c) => c.key), ...[...folded].filter((k) => !known.has(k))];
}

/** What a chart's `detail_id` names: the whole case (null) or the key of one request card; undefined when neither. */
export function chartTarget(meta: ReportMeta, detailId: string, keys: readonly string[]): string | null | undefined {
  if (detailId === caseDetailId(meta.caseRunId)) return null;
  const match = /^(\d+)-(\d+)$/.exec(detailId);
  if (match === null || Number(match[1]) !== meta.caseRunId) return undefined;
  const position = Number(match[2]);
  return position >= 1 && position <= keys.length ? keys[position - 1] : undefined;
}
