/**
 * How many starts of one server are prepared and recorded at once. A start is about a dozen
 * statements and a case compile; on PGlite every statement of every request waits its turn on the
 * one connection, so fifty starts at once gain nothing from running side by side, and their fifty
 * statements queued at any moment made every other request (GET /health, CRUD) wait behind them:
 * /health p50 89 ms, p99 242 ms while 50 starts were answered (bench:admission, load 6). With at most
 * STARTS_AT_ONCE in progress the others wait their turn in arrival order and other requests pass
 * between them: /health p99 118 ms (the last start answered after 1.6 s instead of 1.1 s at that
 * load; 2 and 4 at once held /health lower still but slowed the starts more)
 * (docs/run-lifecycle.md, "Queue and capacity").
 */
import type { Database } from '@perftest/store';

/** Starts prepared and recorded at once per database. */
export const STARTS_AT_ONCE = 8;

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
