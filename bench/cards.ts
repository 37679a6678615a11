/**
 * bench:cards — memory and report size of a case with many request cards, on the real server
 * process: the server (`apps/api/src/main.ts` with its in-process worker on --threads engine
 * threads; on PGlite in a temporary directory, or with --db postgres on a fresh database of
 * DATABASE_URL's server) runs one case of --cards GET cards (each its own
 * URL on a local target in this process) with --users users for --seconds seconds. The server's
 * resident memory is sampled every 100 ms from /proc (and its peak read from VmHWM at the end); then
 * the report is read: right after the end (the first read folds the intervals), again after the
 * rollup job has rolled it up, and its detail rows paged through. The requests the report counts
 * are checked against what the target received, card by card.
 *
 * PGlite alone holds about 560 MB once open (its WebAssembly Postgres), so the server's own growth is
 * read beside its total.
 *
 *   pnpm bench:cards [--cards 10000] [--users 1] [--seconds 10] [--threads 1] [--db pglite|postgres]
 */
import { benchCards } from './cards-bench.js';

/** A flag's value from argv. */
function arg(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 && at + 1 < process.argv.length ? process.argv[at + 1] : fallback;
}

await benchCards({
  cards: Number(arg('cards', '10000')),
  users: Number(arg('users', '1')),
  seconds: Number(arg('seconds', '10')),
  threads: arg('threads', '1'),
  db: arg('db', 'pglite') === 'postgres' ? 'postgres' : 'pglite',
});
