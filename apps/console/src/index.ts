/**
 * The web console as the API and the CLI use it: where the built single-page app is (the API serves
 * it at `/`) and the self-contained HTML report. Building lives in `@perftest/console/build`.
 */
export { CONSOLE_APP_DIR, CONSOLE_DIST_DIR } from './paths.js';
export { renderReportHtml, toReportDocument, type ReportInput } from './render-report-html.js';
export type { ReportCase, ReportDocument, ReportOutline, ReportResult, ReportRow } from './report-types.js';
