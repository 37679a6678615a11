/**
 * A database connection lost under a statement (the server restarted or terminated the backend, the
 * network dropped): a read outside a transaction is retried once on a fresh connection; anything
 * else fails with DatabaseUnavailableError, which the API answers 503 with Retry-After (a write may
 * or may not have happened: the client decides whether to repeat it). docs/security.md, "What is
 * stored how".
 */

/** SQLSTATEs and driver codes of a lost or refused connection. */
const LOST = new Set([
  '57P01', // admin_shutdown: the backend was terminated
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now: the server is starting or stopping
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  'CONNECT_TIMEOUT',
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
]);

/** True when `err` says the connection to the database was lost (not that the statement was wrong). */
export function isConnectionLost(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && LOST.has(code);
}

/** The database could not be reached for a statement; the caller may try again shortly. */
export class DatabaseUnavailableError extends Error {
  override readonly name = 'DatabaseUnavailableError';
  constructor(cause: unknown) {
    super(`the database connection was lost: ${(cause as Error)?.message ?? String(cause)}`, { cause });
  }
}

/** A statement that only reads, so that running it twice is harmless. */
const READ_ONLY = /^\s*(select|show)\b/i;
const WRITES = /\b(insert|update|delete|merge|nextval|setval|pg_notify|pg_advisory\w*|for\s+(update|share|no\s+key\s+update|key\s+share))\b/i;

/** True for a statement that reads and changes nothing (a plain select). */
export function isReadOnly(text: string): boolean {
  return READ_ONLY.test(text) && !WRITES.test(text);
}

/**
 * Runs `statement`; when the connection is lost under it, runs it once more if `retry` (a read
 * outside a transaction), and otherwise, or when that fails the same way, throws
 * DatabaseUnavailableError.
 */
export async function withConnectionRetry<T>(statement: () => Promise<T>, retry: boolean): Promise<T> {
  try {
    return await statement();
  } catch (err) {
    if (!isConnectionLost(err)) throw err;
    if (!retry) throw new DatabaseUnavailableError(err);
    try {
      return await statement();
    } catch (again) {
      throw isConnectionLost(again) ? new DatabaseUnavailableError(again) : again;
    }
  }
}
