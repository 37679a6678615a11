/** X-Auth-Token tokens: random, stored as SHA-256 hashes, valid 24 hours, optionally project-scoped. */
import { createHash, randomBytes } from 'node:crypto';
import type { Queryable } from '@perftest/store';
import type { Principal } from './accounts.js';

export const TOKEN_TTL_MS = 24 * 60 * 60 * 1000;

const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

/** Issues a token for an account; returns it with its expiry. */
export async function issueToken(
  db: Queryable,
  accountId: number,
  scopeProject: string | undefined,
  now = new Date(),
): Promise<{ token: string; expiresAt: Date }> {
  const token = `PT${randomBytes(48).toString('base64url')}`;
  const expiresAt = new Date(now.getTime() + TOKEN_TTL_MS);
  await db.query('delete from tokens where expires_at < $1', [now]);
  await db.query('insert into tokens(token_hash, account_id, scope_project, expires_at) values ($1, $2, $3, $4)', [
    hashToken(token),
    accountId,
    scopeProject ?? null,
    expiresAt,
  ]);
  return { token, expiresAt };
}

/** What a valid token stands for, and until when (epoch milliseconds). */
export interface TokenRecord {
  principal: Principal;
  expiresAt: number;
}

/** The principal of a valid token, or undefined (unknown or expired). A scoped token allows one project. */
export async function verifyToken(db: Queryable, token: string, now = new Date()): Promise<Principal | undefined> {
  return (await findToken(db, token, now))?.principal;
}

/** The principal and expiry of a valid token, or undefined (unknown or expired). */
export async function findToken(db: Queryable, token: string, now = new Date()): Promise<TokenRecord | undefined> {
  const [row] = await db.query<{ id: number; name: string; projects: string[]; scope_project: string | null; expires_at: Date }>(
    `select a.id, a.name, a.projects, t.scope_project, t.expires_at from tokens t join accounts a on a.id = t.account_id
      where t.token_hash = $1 and t.expires_at > $2`,
    [hashToken(token), now],
  );
  if (!row) return undefined;
  const projects =
    row.scope_project === null
      ? row.projects
      : row.projects.includes('*') || row.projects.includes(row.scope_project)
        ? [row.scope_project]
        : [];
  return { principal: { accountId: row.id, name: row.name, projects }, expiresAt: new Date(row.expires_at).getTime() };
}
