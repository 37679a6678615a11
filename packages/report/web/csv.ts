/** A report as CSV: the per-card table, and the per-point series. */
import type { ReportResult } from '../src/report-types.js';
import { ERROR_CLASSES, reportRows, reportSeries } from './model.js';

const cell = (v: unknown): string => {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};
const lines = (rows: unknown[][]): string => rows.map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';

const ROW_KEYS = ['requests', 'successCount', 'errorCount', 'successRate', 'tps', 'rps', 'averageRespTime', 'min', 'max', 'tp50', 'tp90', 'tp95', 'tp99',
  'failedAssert', 'failedParsed', 'failedRefused', 'failedTimeout', 'failedOthers', 'sum1xx', 'sum2xx', 'sum3xx', 'sum4xx', 'sum5xx'] as const;

/** One line per request card and one for the whole case (first). */
export function cardsCsv(caseName: string, report: ReportResult): string {
  const { performance, cards } = reportRows(report);
  const rows: unknown[][] = [['row', 'name', 'method', 'url', ...ROW_KEYS]];
  if (performance) rows.push(['case', caseName, '', '', ...ROW_KEYS.map((k) => performance[k])]);
  for (const c of cards) rows.push(['card', c.name, c.method ?? '', c.url ?? '', ...ROW_KEYS.map((k) => c[k])]);
  return lines(rows);
}

/** One line per curve point (per second unless the run was merged into fewer points). */
export function seriesCsv(report: ReportResult): string {
  const s = reportSeries(report);
  const rc = report.brokens.respcode_brokens;
  const rows: unknown[][] = [['time', 'seconds', 'tps', 'rps', 'avg_rt_ms', 'users', 'success', ...ERROR_CLASSES, 'sent_bytes', 'rec_bytes']];
  s.x.forEach((_, i) => {
    rows.push([
      report.brokens.commonTimestamps[i], s.width[i], s.tps[i], +s.rps[i].toFixed(3), s.avgRt[i], s.users[i], rc.success[i],
      ...ERROR_CLASSES.map((k) => rc[k]?.[i] ?? 0), report.brokens.brand_brokens.sentBytes[i], report.brokens.brand_brokens.recBytes[i],
    ]);
  });
  return lines(rows);
}
