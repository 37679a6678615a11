/**
 * A build that runs only when its sources changed: staleness is a hash of the sources' contents
 * (a fresh clone has no output, a checkout changes contents), so `npx pnpm start` and
 * `npx pnpm test` build only when needed. The output is written to a temporary folder and swapped
 * in, so a server reading it never sees half a build. The report page and the console use it.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/** What a hashed build reads and writes. */
export interface HashedBuild {
  /** The folder source paths are hashed relative to. */
  root: string;
  /** Every file the build reads (tests, `*.test.ts`, are not sources). */
  sources(): string[];
  /** Hashes of other builds this one bundles (their sources change this build too). */
  upstream?: () => string[];
  /** The output folder, replaced as a whole. */
  outDir: string;
  /** Writes the build into `dir` (a fresh temporary folder). */
  run(dir: string): Promise<void>;
}

/** The file recording the hash a build was made from, inside its output folder. */
const HASH_FILE = 'build-hash';

/** Every file under `dir` except tests. */
export function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(path));
    else if (!entry.name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

/** A hash of every source the build reads (and of the builds it bundles). */
export function sourceHash(build: HashedBuild): string {
  const hash = createHash('sha256');
  for (const file of build.sources().sort()) {
    hash.update(relative(build.root, file));
    hash.update('\0');
    hash.update(readFileSync(file));
    hash.update('\0');
  }
  for (const upstream of build.upstream?.() ?? []) hash.update(`upstream ${upstream}\0`);
  return hash.digest('hex');
}

/** Builds unless the output is current (or always, with `force`); says what it did on `log`. */
export async function ensureBuilt(build: HashedBuild, what: string, options: { force?: boolean; log?: (line: string) => void } = {}): Promise<boolean> {
  const hash = sourceHash(build);
  const hashFile = join(build.outDir, HASH_FILE);
  if (!options.force && existsSync(hashFile) && readFileSync(hashFile, 'utf8').trim() === hash) return false;
  const started = Date.now();
  const tmp = `${build.outDir}.tmp-${process.pid}-${started}`;
  const old = `${build.outDir}.old-${process.pid}-${started}`;
  try {
    await build.run(tmp);
    writeFileSync(join(tmp, HASH_FILE), `${hash}\n`);
    if (existsSync(build.outDir)) renameSync(build.outDir, old);
    renameSync(tmp, build.outDir);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
    rmSync(old, { recursive: true, force: true });
  }
  options.log?.(`${what} built in ${Date.now() - started} ms (${relative(process.cwd(), build.outDir) || '.'})`);
  return true;
}

/** Bytes of every file under `dir`, by path relative to it. */
export function builtFiles(dir: string): Array<{ path: string; bytes: number }> {
  if (!existsSync(dir)) return [];
  return filesUnder(dir).map((file) => ({ path: relative(dir, file), bytes: statSync(file).size }));
}
