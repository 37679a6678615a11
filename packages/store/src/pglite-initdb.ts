/**
 * Creating a PGlite data directory (its initdb) grows the WebAssembly memory of the process that
 * does it to ~730 MB, and a WebAssembly memory never shrinks: a server that created its database
 * in-process kept that resident for its whole life, where reopening an existing directory holds
 * ~180 MB (measured with shared_buffers 16 MB; bench:cards, bench/RESULTS.md). A fresh data directory is
 * therefore created by a short-lived child process, and the server opens it afterwards.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PGlite } from '@electric-sql/pglite';

/**
 * The start parameters of every PGlite this project opens: PGlite's own, with shared_buffers 16 MB
 * instead of Postgres' 128 MB, which PGlite keeps inside its WebAssembly memory (resident once
 * touched): an embedded server's database is small and the files stay in the OS page cache.
 */
export const PGLITE_START_PARAMS: readonly string[] = [...PGlite.defaultStartParams, '-c', 'shared_buffers=16MB'];

/** Whether `dataDir` holds no database yet. */
export function needsInitdb(dataDir: string): boolean {
  return !existsSync(join(dataDir, 'PG_VERSION'));
}

/** Creates the database in `dataDir` (which exists, empty or not yet initialised) in a child process. */
export async function initdbInChild(dataDir: string): Promise<void> {
  const pglite = pathToFileURL(createRequire(import.meta.url).resolve('@electric-sql/pglite')).href;
  const script = [
    `const { PGlite } = await import(${JSON.stringify(pglite)});`,
    'const [dataDir, params] = [process.argv[1], JSON.parse(process.argv[2])];',
    'const db = await PGlite.create({ dataDir, startParams: params });',
    'await db.close();',
  ].join('\n');
  await new Promise<void>((resolve, reject) => {
    execFile(
      process.execPath,
      ['--input-type=module', '-e', script, dataDir, JSON.stringify(PGLITE_START_PARAMS)],
      { timeout: 120_000 },
      (err, _stdout, stderr) => (err ? reject(new Error(`creating the PGlite database in ${dataDir} failed: ${stderr.trim() || err.message}`)) : resolve()),
    );
  });
}
