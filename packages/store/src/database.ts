/**
 * One small interface over the two databases the product runs on: PGlite (embedded, the default)
 * and Postgres through postgres.js. Both take the same SQL with `$1` parameters, and both return
 * int8 and numeric columns as JS numbers, timestamps as Dates and json/jsonb parsed.
 */

/** A row as the database returns it. */
export type Row = Record<string, unknown>;

/** Anything that runs a query: the database itself or a transaction. */
export interface Queryable {
  /** Runs one statement with `$1...` parameters and returns its rows. */
  query<T = Row>(text: string, params?: readonly unknown[]): Promise<T[]>;
}

/** A listener registration; call to stop listening. */
export type Unlisten = () => Promise<void>;

/** A connected database. */
export interface Database extends Queryable {
  readonly kind: 'pglite' | 'postgres';
  /** Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Runs several statements separated by semicolons, without parameters (migrations). */
  exec(sql: string): Promise<void>;
  /** Subscribes to NOTIFY on `channel`. */
  listen(channel: string, onPayload: (payload: string) => void): Promise<Unlisten>;
  /** Sends NOTIFY on `channel`. */
  notify(channel: string, payload: string): Promise<void>;
  close(): Promise<void>;
}

/** Serialises a value for a `$n::jsonb` parameter (both drivers accept JSON text there). */
export function json(value: unknown): string {
  return JSON.stringify(value ?? null);
}
