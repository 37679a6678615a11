/** A real Postgres server through postgres.js. */
import postgres from 'postgres';
import { isReadOnly, withConnectionRetry } from './connection-loss.js';
import type { Database, Queryable, Row, Unlisten } from './database.js';

/**
 * Connects to `url` with a pool of at most `max` connections, every one of them opened at once when
 * `openAll` (a server that answers bursts), else as statements need them.
 */
export async function openPostgres(url: string, max = 10, openAll = false): Promise<Database> {
  const sql = postgres(url, {
    max,
    onnotice: () => {},
    types: {
      int8: { to: 20, from: [20, 1700], serialize: (x: number) => String(x), parse: (x: string) => Number(x) },
      // `json()` hands jsonb parameters over as JSON text: send it as is (postgres.js would encode it again).
      json: {
        to: 114,
        from: [114, 3802],
        serialize: (x: unknown) => (typeof x === 'string' ? x : JSON.stringify(x)),
        parse: (x: string) => JSON.parse(x) as unknown,
      },
    },
  });
  // postgres.js opens connections as statements need them, so a burst after a quiet spell (50 starts
  // at once after requests made one at a time) paid a new backend's connection and cold caches on
  // each: the API's GET /health and CRUD took 45-80 ms at the burst's start (bench/RESULTS.md,
  // "Issue 8, CRUD while starts are answered"). The API opens them all at its start.
  await Promise.all(Array.from({ length: openAll ? max : 1 }, () => sql`select 1`));
  const wrap = (q: postgres.Sql | postgres.TransactionSql): Queryable => ({
    async query<T = Row>(text: string, params: readonly unknown[] = []): Promise<T[]> {
      const rows = await q.unsafe(text, params as postgres.ParameterOrJSON<never>[]);
      return rows as unknown as T[];
    },
  });
  const plain = wrap(sql);
  return {
    kind: 'postgres',
    // A connection lost under a statement (connection-loss.ts): reads retried once, the rest 503.
    query: <T = Row>(text: string, params?: readonly unknown[]) => withConnectionRetry(() => plain.query<T>(text, params), isReadOnly(text)),
    transaction: (fn) =>
      withConnectionRetry(async () => (await sql.begin((tx) => fn(wrap(tx)))) as Awaited<ReturnType<typeof fn>>, false),
    exec: (text) =>
      withConnectionRetry(async () => {
        await sql.unsafe(text);
      }, false),
    listen: async (channel, onPayload): Promise<Unlisten> => {
      const { unlisten } = await sql.listen(channel, onPayload);
      return unlisten;
    },
    notify: async (channel, payload) => {
      await sql.notify(channel, payload);
    },
    close: () => sql.end({ timeout: 5 }),
  };
}
