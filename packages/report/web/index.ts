/**
 * The report in the browser, as the console uses it: the report view and its KPI tiles, the uPlot
 * charts (also drawn by the live view and the stage editor), the report model (series, rows,
 * markers, formats), CSV downloads, the HTML template of "Export HTML", and the page timings the
 * console benchmark reads. The exported file's own page is standalone.tsx, built by src/build.ts.
 */
export type { ReportCase, ReportDocument, ReportOutline, ReportResult, ReportRow } from '../src/report-types.js';
export { composeReportHtml } from '../src/report-html-template.js';
export { COLORS } from './charts/colors.js';
export { Histogram, parseBuckets, type Bucket } from './charts/histogram.js';
export { TimeChart, type ChartMarker, type ChartSeries, type TimeChartProps } from './charts/time-chart.js';
export { cardsCsv, seriesCsv } from './csv.js';
export { epochSeconds, ERROR_CLASSES, fmt, fmtBytes, reportMarkers, reportRows, reportSeries, rowErrors, type ReportSeries } from './model.js';
export { CardTable, Kpi, ReportDocumentView, ReportView } from './report-view.js';
export { markReportData, useReportDrawn } from './timing.js';
