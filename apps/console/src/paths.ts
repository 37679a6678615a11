/** Where the console's sources and built files are on disk (resolved from this file, not the cwd). */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The console package's folder (apps/console). */
export const CONSOLE_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
/** The browser sources. */
export const CONSOLE_WEB_DIR = join(CONSOLE_ROOT, 'web');
/** Everything the build writes. */
export const CONSOLE_DIST_DIR = join(CONSOLE_ROOT, 'dist');
/** The single-page console the API serves at `/` (index.html and assets/). */
export const CONSOLE_APP_DIR = join(CONSOLE_DIST_DIR, 'app');
/** The report page's script and style, inlined into every exported HTML report. */
export const CONSOLE_REPORT_DIR = join(CONSOLE_DIST_DIR, 'report');
/** The hash of the sources a build was made from. */
export const BUILD_HASH_FILE = join(CONSOLE_DIST_DIR, 'build-hash');
