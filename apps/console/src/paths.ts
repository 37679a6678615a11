/** Where the console's sources and built files are on disk (resolved from this file, not the cwd). */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The console's folder (apps/console). */
export const CONSOLE_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
/** The browser sources. */
export const CONSOLE_WEB_DIR = join(CONSOLE_ROOT, 'web');
/**
 * The built single-page console (index.html and assets/): the folder the API serves at `/`
 * (its PERFTEST_CONSOLE_DIR, which defaults to this folder of the repository).
 */
export const CONSOLE_DIST_DIR = join(CONSOLE_ROOT, 'dist');
