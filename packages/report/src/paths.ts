/** Where the report package's sources and built page are on disk (resolved from this file, not the cwd). */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package's folder (packages/report). */
export const REPORT_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
/** The browser sources: the report view, charts, and the exported page. */
export const REPORT_WEB_DIR = join(REPORT_ROOT, 'web');
/** The built report page: report.js and report.css, inlined into every exported HTML report. */
export const REPORT_PAGE_DIR = join(REPORT_ROOT, 'dist');
