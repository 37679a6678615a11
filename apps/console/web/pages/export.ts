/**
 * Downloads of a report from the browser: JSON, CSV, and the self-contained HTML file made with the
 * same template as the Node renderer (@perftest/report's renderReportHtml) around the built report
 * page, which the API serves under /console-report/.
 */
import { composeReportHtml, type ReportDocument } from '@perftest/report/web';

/** Saves `text` as a file named `name`. */
export function download(name: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** The HTML file of `doc`. */
export async function reportHtml(doc: ReportDocument): Promise<string> {
  const [js, css] = await Promise.all(
    ['/console-report/report.js', '/console-report/report.css'].map(async (path) => {
      const res = await fetch(path);
      if (!res.ok) throw new Error(`${path}: ${res.status}`);
      return res.text();
    }),
  );
  return composeReportHtml(doc, js, css);
}

/** A file name part from free text. */
export const slug = (text: string): string => text.replace(/[^\w.-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60) || 'report';
