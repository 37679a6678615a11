/**
 * One process at a time on a PGlite data directory. PGlite itself takes no lock, and two processes
 * writing the same files corrupt them, so whoever opens the directory writes its pid to
 * `perftest.lock` inside it first. A lock whose process is gone (a crash) is taken over.
 */
import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const LOCK_FILE = 'perftest.lock';

/** Directories this process holds (a second open in the same process is refused too). */
const held = new Set<string>();

/** The data directory is open in another process (or already in this one). */
export class DataDirBusyError extends Error {
  override readonly name = 'DataDirBusyError';
  constructor(
    readonly dataDir: string,
    readonly pid: number,
  ) {
    super(
      `the data directory ${dataDir} is in use by process ${pid}: PGlite allows one process at a time ` +
        `(stop the server first, or use DATABASE_URL with Postgres)`,
    );
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the lock of `dataDir` (which must exist) and returns its release. */
export function lockDataDir(dataDir: string): () => void {
  const dir = resolve(dataDir);
  const file = join(dir, LOCK_FILE);
  if (held.has(dir)) throw new DataDirBusyError(dataDir, process.pid);
  for (let attempt = 0; ; attempt++) {
    try {
      writeFileSync(file, `${process.pid}\n`, { flag: 'wx', mode: 0o600 });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) {
        if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new DataDirBusyError(dataDir, owner(file));
        throw err;
      }
      const pid = owner(file);
      // Our own pid in the file, but not held here: a previous life of this pid (container restart).
      if (pid > 0 && pid !== process.pid && alive(pid)) throw new DataDirBusyError(dataDir, pid);
      unlinkSync(file);
    }
  }
  held.add(dir);
  return () => {
    if (!held.delete(dir)) return;
    try {
      if (owner(file) === process.pid) unlinkSync(file);
    } catch {
      // already gone
    }
  };
}

function owner(file: string): number {
  try {
    return Number.parseInt(readFileSync(file, 'utf8'), 10) || 0;
  } catch {
    return 0;
  }
}
