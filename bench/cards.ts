/**
 * bench:cards — memory and report size of a case with many request cards, on the real server
 * process: the server as `npx pnpm start` runs it (apps/api/dist/main.js, bundled from
 * `apps/api/src/main.ts`) with its in-process worker on --threads engine
 * threads; on PGlite in a temporary directory, or with --db postgres on a fresh database of
 * DATABASE_URL's server) runs one case of --cards GET cards (each its own
 * URL on a local target in this process) with --users users for --seconds seconds. The server's
 * resident memory is sampled every 100 ms from /proc (and its peak read from VmHWM at the end); then
 * the report is read: right after the end (the first read folds the intervals), again after the
 * rollup job has rolled it up, and its detail rows paged through. The requests the report counts
 * are checked against what the target received, card by card.
 *
 * PGlite's WebAssembly Postgres reserves about 130 MB once open (about 86 MB of it resident), and the
 * server idles at about 300 MB with the case saved, so the server's own growth is read beside its total.
 *
 * With --trace, bench/memory-probe.mjs is loaded into the server and the bench prints, phase by
 * phase, where the peak was and what it was made of (the V8 heaps, external memory, PGlite's
 * WebAssembly memory and how much of it is resident); the probe allocates a little itself (it reads
 * /proc/self/smaps every 2 s), so the figures of record are taken without it. With --trace and
 * PERFTEST_HEAP_SAMPLE=<dir> it also writes one allocation profile per phase (garbage included).
 *
 *   pnpm bench:cards [--cards 10000] [--users 1] [--seconds 10] [--threads 1] [--db pglite|postgres] [--trace]
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
  trace: process.argv.includes('--trace'),
});
