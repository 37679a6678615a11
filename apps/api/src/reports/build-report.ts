/**
 * Assembles a report (reference 4.6.1, `result` of the response) from a case run's folded
 * intervals and what is known of the run: curves, table, summary, response-time distribution and
 * `taskInfo.vum`. Live while the case run runs (figures up to its latest second), final after.
 */
import { summarize, type CaseRunAccumulator } from '@perftest/engine';
import { buildBrokens, type Brokens } from './brokens.js';
import { buildDetails, caseFigures, type DetailPage, type Details } from './details.js';
import { buildOutline, type Outline } from './outline.js';
import { runWindow, type ReportMeta } from './report-meta.js';
import { respTimeRange, rtProportion, type RespTimeRange } from './resp-time-range.js';

/** The report as the SDK's ReportInfo reads it. */
export interface Report {
  brokens: Brokens;
  details: Details;
  outline: Outline;
  rtproportion: string;
  taskInfo: { vum: number };
  respTimeRange: RespTimeRange;
}

/**
 * Builds the report of `meta`'s case run from `acc` with at most `brokensLimit` curve points and page
 * `detailPage` of its card rows (the first MAX_DETAIL_ROWS when left out).
 */
export function buildReport(meta: ReportMeta, acc: CaseRunAccumulator, brokensLimit: number, detailPage?: DetailPage): Report {
  const window = runWindow(meta, acc.series);
  const requests = summarize(acc.requestTotals());
  const figures = caseFigures(acc.series);
  return {
    brokens: buildBrokens(acc.series, brokensLimit),
    details: buildDetails(meta, window, acc, requests, figures, detailPage),
    outline: buildOutline(meta, window, acc.series, requests, figures),
    rtproportion: rtProportion(requests.rtBuckets),
    taskInfo: { vum: figures.vum },
    respTimeRange: respTimeRange(requests.rtBuckets),
  };
}
