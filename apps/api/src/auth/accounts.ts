/**
 * Accounts: a name, a password hash, the project ids they may use (`*` = all) and their access keys.
 * Used by the token endpoint, the signature check, the bootstrap admin and the accounts CLI.
 */
import type { Database, Queryable } from '@perftest/store';
import { hashPassword, randomAccessKey, randomSecret } from './passwords.js';

/** Who a verified credential belongs to. */
export interface Principal {
  accountId: number;
  name: string;
  /** Project ids the credential may use; `*` allows all. */
  projects: readonly string[];
}

/** Credentials shown once when an account is created. */
export interface NewAccount {
  name: string;
  accessKey: string;
  secretKey: string;
  password: string;
  projects: string[];
}

/** True when `principal` may act on `project`. */
export function mayUse(principal: Principal, project: string): boolean {
  return principal.projects.includes('*') || principal.projects.includes(project);
}

/** Creates an account with a generated password and access key (or the given ones). */
export async function createAccount(
  db: Queryable,
  name: string,
  projects: string[],
  given: { accessKey?: string; secretKey?: string; password?: string } = {},
): Promise<NewAccount> {
  const password = given.password ?? randomSecret(12);
  const accessKey = given.accessKey ?? randomAccessKey();
  const secretKey = given.secretKey ?? randomSecret(30);
  const [row] = await db.query<{ id: number }>(
    'insert into accounts(name, password_hash, projects) values ($1, $2, $3) returning id',
    [name, await hashPassword(password), projects],
  );
  await db.query('insert into access_keys(access_key, secret_key, account_id) values ($1, $2, $3)', [
    accessKey,
    secretKey,
    row.id,
  ]);
  return { name, accessKey, secretKey, password, projects };
}

/** Lists accounts with their projects and access keys (never secrets). */
export async function listAccounts(db: Queryable): Promise<Array<{ name: string; projects: string[]; accessKeys: string[] }>> {
  const rows = await db.query<{ name: string; projects: string[]; access_keys: string[] | null }>(
    `select a.name, a.projects, array_remove(array_agg(k.access_key order by k.created_at), null) as access_keys
       from accounts a left join access_keys k on k.account_id = a.id group by a.id order by a.id`,
  );
  return rows.map((r) => ({ name: r.name, projects: r.projects, accessKeys: r.access_keys ?? [] }));
}

/** The channel on which a change of credentials is announced to running servers (they forget theirs). */
export const CREDENTIALS_CHANGED = 'perftest_credentials_changed';

/**
 * Removes an account and its keys and tokens; false when there was none. Running servers on the same
 * database are told (CREDENTIALS_CHANGED) so that they stop accepting its credentials at once.
 */
export async function removeAccount(db: Queryable, name: string): Promise<boolean> {
  const rows = await db.query('delete from accounts where name = $1 returning id', [name]);
  if (rows.length === 0) return false;
  await db.query('select pg_notify($1, $2)', [CREDENTIALS_CHANGED, name]);
  return true;
}

/** What an access key stands for. */
export interface AccessKeyRecord {
  secretKey: string;
  principal: Principal;
}

/** The secret and principal of an access key, or undefined. */
export async function findAccessKey(db: Queryable, accessKey: string): Promise<AccessKeyRecord | undefined> {
  const [row] = await db.query<{ secret_key: string; id: number; name: string; projects: string[] }>(
    `select k.secret_key, a.id, a.name, a.projects from access_keys k join accounts a on a.id = k.account_id
      where k.access_key = $1`,
    [accessKey],
  );
  return row && { secretKey: row.secret_key, principal: { accountId: row.id, name: row.name, projects: row.projects } };
}

export const ADMIN_ACCOUNT = 'admin';

/** What bootstrap generated, to print once; empty when nothing was generated. */
export interface BootstrapResult {
  generatedAccessKey?: { accessKey: string; secretKey: string };
  generatedPassword?: string;
}

/**
 * Ensures the bootstrap admin exists (allowed on every project). A configured AK/SK or password is
 * applied on every start; what is not configured is generated on first start only and returned so
 * that the caller prints it once.
 */
export async function bootstrapAdmin(
  db: Database,
  given: { accessKey?: string; secretKey?: string; password?: string },
): Promise<BootstrapResult> {
  return db.transaction(async (tx) => {
    await tx.query('select pg_advisory_xact_lock(742337002)');
    const result: BootstrapResult = {};
    let [admin] = await tx.query<{ id: number }>('select id from accounts where name = $1', [ADMIN_ACCOUNT]);
    if (!admin) {
      const password = given.password ?? randomSecret(12);
      if (!given.password) result.generatedPassword = password;
      [admin] = await tx.query<{ id: number }>(
        `insert into accounts(name, password_hash, projects) values ($1, $2, '{*}') returning id`,
        [ADMIN_ACCOUNT, await hashPassword(password)],
      );
    } else if (given.password) {
      await tx.query('update accounts set password_hash = $2 where id = $1', [admin.id, await hashPassword(given.password)]);
    }
    if (given.accessKey && given.secretKey) {
      await tx.query(
        `insert into access_keys(access_key, secret_key, account_id) values ($1, $2, $3)
         on conflict (access_key) do update set secret_key = excluded.secret_key, account_id = excluded.account_id`,
        [given.accessKey, given.secretKey, admin.id],
      );
    } else {
      const [done] = await tx.query(`select 1 from settings where key = 'bootstrap_access_key'`);
      if (!done) {
        const accessKey = randomAccessKey();
        const secretKey = randomSecret(30);
        await tx.query('insert into access_keys(access_key, secret_key, account_id) values ($1, $2, $3)', [
          accessKey,
          secretKey,
          admin.id,
        ]);
        await tx.query(`insert into settings(key, value) values ('bootstrap_access_key', $1)`, [accessKey]);
        result.generatedAccessKey = { accessKey, secretKey };
      }
    }
    return result;
  });
}
