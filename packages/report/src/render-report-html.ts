/**
 * One self-contained HTML file from a report: the built report page's script and style inlined, the
 * report JSON embedded, no network needed to open it. The console's "Export HTML" and
 * `perftest run ... --html` both produce it. Needs a build of the report page (ensureReportBuilt).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPORT_PAGE_DIR } from './paths.js';
import { composeReportHtml } from './report-html-template.js';
import type { ReportCase, ReportDocument, ReportResult } from './report-types.js';

/** The built script and style of the report page (read once). */
let template: { js: string; css: string } | undefined;

function reportTemplate(): { js: string; css: string } {
  if (template) return template;
  const js = join(REPORT_PAGE_DIR, 'report.js');
  const css = join(REPORT_PAGE_DIR, 'report.css');
  if (!existsSync(js) || !existsSync(css)) {
    throw new Error('the report page is not built: call ensureReportBuilt() from @perftest/report/build (or run `npx pnpm --filter @perftest/report build`)');
  }
  template = { js: readFileSync(js, 'utf8'), css: readFileSync(css, 'utf8') };
  return template;
}

/** What renderReportHtml accepts: a document, a report `result`, or the whole report response. */
export type ReportInput = ReportDocument | ReportResult | { result: ReportResult };

const isDocument = (input: ReportInput): input is ReportDocument => Array.isArray((input as ReportDocument).cases);

/** A report document from any accepted input; `name` names a lone report's case. */
export function toReportDocument(input: ReportInput, name = 'case'): ReportDocument {
  if (isDocument(input)) return input;
  const report = 'result' in input ? input.result : input;
  const cases: ReportCase[] = [{ name, report }];
  return { title: `PerfTest report: ${name}`, generatedAt: new Date().toISOString(), cases };
}

/** The HTML file of a report (a string to write as UTF-8). */
export function renderReportHtml(input: ReportInput, options: { name?: string } = {}): string {
  const doc = toReportDocument(input, options.name);
  const { js, css } = reportTemplate();
  return composeReportHtml(doc, js, css);
}
