/** The embedded database: PGlite in a data directory (or in memory with `memory://`). */
import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import type { Database, Queryable, Row, Unlisten } from './database.js';
import { lockDataDir } from './data-dir-lock.js';
import { guardDataDir, tightenDataDir, type Tightened } from './data-dir-modes.js';
import { initdbInChild, needsInitdb, PGLITE_START_PARAMS } from './pglite-initdb.js';

const INT8 = 20;
const NUMERIC = 1700;
const toNumber = (value: string): number => Number(value);

/**
 * PGlite runs each statement synchronously on this thread and resolves it in a microtask, so a chain
 * of statements (a reconcile pass, fifty starts) never let the event loop take a new request: under a
 * storm of 50 starts GET /health waited up to 1.4 s. Each statement outside a transaction first yields
 * to the event loop (setImmediate), so that requests interleave with the statements of others (the
 * same storm: /health at most 250 ms, bench/RESULTS.md "Admission").
 *
 * Statements inside a transaction do not yield: PGlite holds its one connection for the whole
 * transaction, so a yield there only lets other JavaScript run while every other statement waits.
 * A reconcile pass of 20-40 statements held it 10-35 ms with a yield per statement during that storm,
 * the sum of its statements' own times without (bench/RESULTS.md, "Issue 8, CRUD while starts are
 * answered").
 */
const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Opens (creating if needed) the PGlite database in `dataDir`: owner-only (0700 directories, 0600
 * files, data-dir-modes.ts); `log` hears how many entries an earlier version left more open.
 */
export async function openPglite(dataDir: string, log: (message: string) => void = () => {}): Promise<Database> {
  let unlock = (): void => {};
  if (!dataDir.startsWith('memory://')) {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const release = lockDataDir(dataDir);
    // A fresh directory is created by a child process (pglite-initdb.ts); what was there before is
    // tightened (and reported) first, so that the directory is owner-only while the child writes.
    const created = needsInitdb(dataDir);
    let before: Tightened | undefined;
    if (created) {
      try {
        before = tightenDataDir(dataDir);
        log(`creating the embedded database in ${dataDir} (first start only; about 10 s)`);
        await initdbInChild(dataDir);
      } catch (err) {
        release();
        throw err;
      }
    }
    const guard = guardDataDir(dataDir);
    const { files, directories } = before ?? guard.tightened;
    if (files + directories > 0) {
      log(`data directory ${dataDir}: ${files} files set to 0600 and ${directories} directories to 0700 (they were readable by others)`);
    }
    unlock = () => {
      guard.release();
      release();
    };
  }
  let db: PGlite;
  try {
    db = await PGlite.create({ dataDir, startParams: [...PGLITE_START_PARAMS], parsers: { [INT8]: toNumber, [NUMERIC]: toNumber } });
  } catch (err) {
    unlock();
    throw err;
  }
  const wrap = (q: { query: PGlite['query'] }, yields: boolean): Queryable => ({
    async query<T = Row>(text: string, params: readonly unknown[] = []): Promise<T[]> {
      if (yields) await yieldToLoop();
      const result = await q.query<T>(text, params as unknown[]);
      return result.rows;
    },
  });
  const base = wrap(db, true);
  return {
    kind: 'pglite',
    query: base.query,
    transaction: (fn) => db.transaction((tx) => fn(wrap(tx, false))),
    exec: async (sql) => {
      await db.exec(sql);
    },
    listen: async (channel, onPayload): Promise<Unlisten> => db.listen(channel, onPayload),
    notify: async (channel, payload) => {
      await db.query('select pg_notify($1, $2)', [channel, payload]);
    },
    close: async () => {
      try {
        await db.close();
      } finally {
        unlock();
      }
    },
  };
}
