/**
 * How many starts of one server are prepared and recorded at once. A start is about a dozen
 * statements and a case compile; on PGlite every statement of every request waits its turn on the
 * one connection, so fifty starts at once gain nothing from running side by side, and their
 * statements queued at any moment made every other request (GET /health, CRUD) wait behind them:
 * /health p50 89 ms, p99 242 ms while 50 starts were answered (bench:admission, load 6). With at most
 * STARTS_AT_ONCE in progress the others wait their turn in arrival order and other requests pass
 * between them. On a quiet machine (bench/RESULTS.md, 2026-12-03 evening), 50 starts at once with
 * 8 in progress: CRUD p50 ~31 ms and p99 74-100 ms while they were answered, the last start at
 * 650-860 ms; with 2: CRUD p50 11-14 ms, p99 34-79 ms (39-41 in the last three runs), the last
 * start at 720-920 ms; with 1 the last start took up to 1.0 s
 * (docs/run-lifecycle.md, "Queue and capacity").
 */
import type { Database } from '@perftest/store';

/** Starts prepared and recorded at once per database. */
export const STARTS_AT_ONCE = 2;

/** A first-come-first-served gate of `size` places. */
class Gate {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly size: number) {}

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.active >= this.size) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active++;
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      if (next !== undefined) next();
      else this.active--;
    }
  }
}

const gates = new WeakMap<Database, Gate>();

/** Runs `work` (one start) when one of the STARTS_AT_ONCE places of `db` is free. */
export function throughStartGate<T>(db: Database, work: () => Promise<T>): Promise<T> {
  let gate = gates.get(db);
  if (gate === undefined) {
    gate = new Gate(STARTS_AT_ONCE);
    gates.set(db, gate);
  }
  return gate.run(work);
}
