/**
 * Builds the console with Vite when its sources changed since the last build: the single-page app
 * (dist/app) and the report page's script and style (dist/report) that exported HTML reports inline.
 * Staleness is a hash of the sources' contents (a fresh clone has no dist, a checkout changes
 * contents), so `npx pnpm start` and `npx pnpm test` build only when needed. A build is written to a
 * temporary folder and swapped in, so a server reading dist never sees half a build.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { BUILD_HASH_FILE, CONSOLE_DIST_DIR, CONSOLE_ROOT, CONSOLE_WEB_DIR } from './paths.js';

/** Files outside web/ whose content shapes the build. */
const BUILD_INPUTS = ['package.json', 'src/report-types.ts', 'src/report-html-template.ts', 'src/build.ts'];

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(path));
    else if (!entry.name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

/** A hash of every source the build reads. */
export function sourceHash(): string {
  const hash = createHash('sha256');
  const files = [...filesUnder(CONSOLE_WEB_DIR), ...BUILD_INPUTS.map((f) => join(CONSOLE_ROOT, f))].sort();
  for (const file of files) {
    hash.update(relative(CONSOLE_ROOT, file));
    hash.update('\0');
    hash.update(readFileSync(file));
    hash.update('\0');
  }
  return hash.digest('hex');
}

/** Whether dist holds a build of the current sources. */
export function consoleBuildIsCurrent(): boolean {
  return existsSync(BUILD_HASH_FILE) && readFileSync(BUILD_HASH_FILE, 'utf8').trim() === sourceHash();
}

/** Runs both Vite builds into `outDir`. */
async function viteBuild(outDir: string): Promise<void> {
  const { build } = await import('vite');
  const { appConfig, reportConfig } = await import('../web/vite.config.js');
  await build({ ...appConfig, configFile: false, logLevel: 'warn', build: { ...appConfig.build, outDir: join(outDir, 'app') } });
  await build({ ...reportConfig, configFile: false, logLevel: 'warn', build: { ...reportConfig.build, outDir: join(outDir, 'report') } });
}

/** Builds the console unless dist is current (or always, with `force`); says what it did on `log`. */
export async function ensureConsoleBuilt(options: { force?: boolean; log?: (line: string) => void } = {}): Promise<boolean> {
  const hash = sourceHash();
  if (!options.force && existsSync(BUILD_HASH_FILE) && readFileSync(BUILD_HASH_FILE, 'utf8').trim() === hash) return false;
  const started = Date.now();
  const tmp = `${CONSOLE_DIST_DIR}.tmp-${process.pid}-${started}`;
  const old = `${CONSOLE_DIST_DIR}.old-${process.pid}-${started}`;
  try {
    await viteBuild(tmp);
    writeFileSync(join(tmp, 'build-hash'), `${hash}\n`);
    if (existsSync(CONSOLE_DIST_DIR)) renameSync(CONSOLE_DIST_DIR, old);
    renameSync(tmp, CONSOLE_DIST_DIR);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
    rmSync(old, { recursive: true, force: true });
  }
  options.log?.(`console built in ${Date.now() - started} ms (${relative(process.cwd(), CONSOLE_DIST_DIR) || '.'})`);
  return true;
}

/** Bytes of every file under `dir`, by path relative to it. */
export function builtFiles(dir: string): Array<{ path: string; bytes: number }> {
  if (!existsSync(dir)) return [];
  return filesUnder(dir).map((file) => ({ path: relative(dir, file), bytes: statSync(file).size }));
}
