/**
 * The exported report's HTML around the built report page: shared by the Node renderer
 * (render-report-html.ts) and the console's "Export HTML" button, so both write the same file.
 */
import type { ReportDocument } from './report-types.js';

/** Text safe inside `<script>`/`<style>`: no `</` that could close the element early. */
function inScript(text: string): string {
  return text.replace(/<\/(script|style)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}

/** JSON safe inside `<script type="application/json">`. */
function jsonInScript(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The HTML file of `doc` with the report page's `js` and `css` inlined. */
export function composeReportHtml(doc: ReportDocument, js: string, css: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<title>${escapeHtml(doc.title)}</title>
<style>${inScript(css)}</style>
</head>
<body>
<div id="report-root"></div>
<script type="application/json" id="report-data">${jsonInScript(doc)}</script>
<script>${inScript(js)}</script>
</body>
</html>
`;
}
