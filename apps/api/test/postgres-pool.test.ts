/**
 * The API server opens every connection of its Postgres pool when it starts (packages/store/src/
 * postgres.ts), so that a burst of requests after a quiet spell does not wait for new backends. Run
 * where DATABASE_URL names a Postgres server (CI does).
 */
import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { freshDatabase, TEST_AK, TEST_SK } from './helpers.js';
import { startServer, type ServerProcess } from './processes.js';

/** Connections of postgres.js's default pool (packages/store/src/postgres.ts). */
const POOL = 10;

describe.runIf(process.env.DATABASE_URL !== undefined)('the API server on Postgres', () => {
  let fresh: Awaited<ReturnType<typeof freshDatabase>> | undefined;
  let server: ServerProcess | undefined;
  afterAll(async () => {
    await server?.stop();
    await fresh?.drop();
  });

  it('holds its whole pool open once it answers, before any request needed it', async () => {
    fresh = await freshDatabase('postgres');
    await fresh.db.close(); // its connections are not the server's
    const name = new URL(fresh.url as string).pathname.slice(1);
    server = await startServer({ DATABASE_URL: fresh.url as string, PERFTEST_AK: TEST_AK, PERFTEST_SK: TEST_SK, PORT: '0', LOG_LEVEL: 'warn' });
    // counted on one connection of its own: every other connection to the database is the server's
    const counter = postgres(fresh.url as string, { max: 1, onnotice: () => {} });
    try {
      const [row] = await counter<{ n: number }[]>`select count(*)::int as n from pg_stat_activity where datname = ${name}`;
      expect(row.n - 1).toBeGreaterThanOrEqual(POOL);
    } finally {
      await counter.end();
    }
  });
});
