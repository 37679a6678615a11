/**
 * A report turned into what the charts draw: epoch seconds per point, rates per second (a point of a
 * long run stands for several seconds, so counts are divided by its width), and the markers of the
 * peak-load KPI miss and of intelligent high pressure's knee.
 */
import type { ReportResult, ReportRow } from '../src/report-types.js';
import type { ChartMarker } from './charts/time-chart.js';

/** `YYYY-MM-DD HH:mm:ss` (UTC) or ISO-8601 to epoch seconds. */
export function epochSeconds(text: string): number {
  const iso = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/.test(text) ? `${text.replace(' ', 'T')}Z` : text;
  return Math.floor(Date.parse(iso) / 1000);
}

/** The series of a report, per point. */
export interface ReportSeries {
  x: number[];
  /** Seconds each point stands for. */
  width: number[];
  tps: number[];
  rps: number[];
  avgRt: number[];
  users: number[];
  errors: Record<'checkPointFailed' | 'parsedFailed' | 'refusedFailed' | 'timeout' | 'othersFailed', number[]>;
  sentPerSec: number[];
  recPerSec: number[];
}

/** Error classes in the order the charts and tables show them. */
export const ERROR_CLASSES = ['checkPointFailed', 'parsedFailed', 'refusedFailed', 'timeout', 'othersFailed'] as const;

/** The series of `report`. */
export function reportSeries(report: ReportResult): ReportSeries {
  const b = report.brokens;
  const x = b.commonTimestamps.map(epochSeconds);
  const width = x.map((t, i) => (i + 1 < x.length ? Math.max(1, x[i + 1] - t) : i > 0 ? Math.max(1, t - x[i - 1]) : 1));
  const perSec = (list: number[]) => list.map((v, i) => v / width[i]);
  const rc = b.respcode_brokens;
  const errors = {} as ReportSeries['errors'];
  for (const k of ERROR_CLASSES) errors[k] = perSec(rc[k] ?? []);
  return {
    x,
    width,
    tps: b.tps_brokens.tps,
    rps: x.map((_, i) => ((rc.success[i] ?? 0) + (rc.error[i] ?? 0)) / width[i]),
    avgRt: b.tps_brokens.average,
    users: b.vusers_brokens.vusers,
    errors,
    sentPerSec: perSec(b.brand_brokens.sentBytes),
    recPerSec: perSec(b.brand_brokens.recBytes),
  };
}

/** The knee of intelligent high pressure, or the first second of a missed peak-load KPI. */
export function reportMarkers(report: ReportResult): ChartMarker[] {
  const o = report.outline;
  const peak = o.peakMetric;
  if (!peak?.peakTime) return [];
  const t = epochSeconds(peak.peakTime);
  if (o.kpiMissed) return [{ t, label: `KPI missed: ${o.kpiMissed}`, color: '#d93f3f' }];
  return [{ t, label: `knee: peak ${peak.vuser} users, ${Math.round(peak.rps)} rps`, color: '#d9822b' }];
}

/** The case row and the request-card rows of a report. */
export function reportRows(report: ReportResult): { performance: ReportRow | undefined; cards: ReportRow[] } {
  const item = report.details.data[0];
  return { performance: item?.performance, cards: item?.detailDatas ?? [] };
}

/** Sum of a row's failure columns. */
export const rowErrors = (r: ReportRow): number => r.errorCount ?? r.failedAssert + r.failedParsed + r.failedRefused + r.failedTimeout + r.failedOthers;

/** A number as the tables show it. */
export function fmt(value: unknown, digits = 2): string {
  if (typeof value !== 'number' || !Number.isFinite(value)) return '–';
  if (Number.isInteger(value)) return value.toLocaleString('en-US');
  return value.toLocaleString('en-US', { maximumFractionDigits: digits });
}

/** Bytes per second as text. */
export function fmtBytes(value: number): string {
  if (value >= 1 << 30) return `${(value / (1 << 30)).toFixed(2)} GB`;
  if (value >= 1 << 20) return `${(value / (1 << 20)).toFixed(2)} MB`;
  if (value >= 1 << 10) return `${(value / (1 << 10)).toFixed(1)} KB`;
  return `${Math.round(value)} B`;
}
