/**
 * Rendezvous, throttles and cursors across the workers of a case run: two hubs on one database stand
 * for two worker processes (PGlite here; Postgres too when DATABASE_URL is set).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '@perftest/store';
import { RendezvousHub } from '../src/shared-coordination.js';
import { httpCase, insertRun, openTestDatabase, usersStage } from './helpers.js';

const backends = process.env.DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];

describe.each(backends)('shared coordination on %s', (backend) => {
  let db: Database;
  let drop: () => Promise<void>;
  let a: RendezvousHub;
  let b: RendezvousHub;
  let caseRunId: number;

  beforeAll(async () => {
    ({ db, drop } = await openTestDatabase(backend as 'pglite' | 'postgres'));
    a = new RendezvousHub(db);
    b = new RendezvousHub(db);
    await a.start();
    await b.start();
    ({ caseRunIds: [caseRunId] } = await insertRun(db, [httpCase('rdv', 'http://127.0.0.1:9/', [usersStage(4, 1)])], true));
  });
  afterAll(async () => {
    await a.stop();
    await b.stop();
    await drop();
  });

  it('releases a rendezvous when the users of every worker together reach the count', async () => {
    const ca = a.coordination(caseRunId, 0, 2);
    const cb = b.coordination(caseRunId, 1, 2);
    const signal = new AbortController().signal;
    const released: string[] = [];
    const waits = [
      ca.rendezvous('p', 4, 0, signal).then(() => released.push('a1')),
      ca.rendezvous('p', 4, 0, signal).then(() => released.push('a2')),
      cb.rendezvous('p', 4, 0, signal).then(() => released.push('b1')),
    ];
    await new Promise((r) => setTimeout(r, 300));
    expect(released).toEqual([]);
    waits.push(cb.rendezvous('p', 4, 0, signal).then(() => released.push('b2')));
    await Promise.all(waits);
    expect(released.sort()).toEqual(['a1', 'a2', 'b1', 'b2']);
    // The next round starts from zero.
    const next = ca.rendezvous('p', 2, 0, signal);
    await cb.rendezvous('p', 2, 0, signal);
    await next;
  });

  it('releases every worker when one of them times out', async () => {
    const ca = a.coordination(caseRunId, 0, 2);
    const cb = b.coordination(caseRunId, 1, 2);
    const signal = new AbortController().signal;
    const started = Date.now();
    await Promise.all([ca.rendezvous('t', 10, 300, signal), cb.rendezvous('t', 10, 0, signal)]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
  });

  it('deals cursor values run-wide without overlap and splits throttles', async () => {
    const ca = a.coordination(caseRunId, 0, 2);
    const cb = b.coordination(caseRunId, 1, 2);
    expect([ca.next('v'), ca.next('v'), ca.next('v')]).toEqual([0, 2, 4]);
    expect([cb.next('v'), cb.next('v')]).toEqual([1, 3]);
    // 40 tokens per second run-wide: each of the two shares gets 20, so 5 tokens take about 200 ms.
    const signal = new AbortController().signal;
    const started = Date.now();
    for (let i = 0; i < 5; i++) await ca.throttle('rps', 40, signal);
    expect(Date.now() - started).toBeGreaterThanOrEqual(180);
  });
});
