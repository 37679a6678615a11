/**
 * The report of a case run as one self-contained HTML file (renderReportHtml: what `perftest run
 * --html` writes and the console's "Export HTML" downloads), the report's types, and where its
 * built page is (the API serves it to the console under /console-report/). Building lives in
 * `@perftest/report/build`; the browser side (report view, charts, model) in `@perftest/report/web`.
 */
export { REPORT_PAGE_DIR } from './paths.js';
export { renderReportHtml, toReportDocument, type ReportInput } from './render-report-html.js';
export type { ReportCase, ReportDocument, ReportOutline, ReportResult, ReportRow } from './report-types.js';
