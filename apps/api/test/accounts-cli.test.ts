import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findAccessKey, listAccounts } from '../src/auth/accounts.js';
import { verifyPassword } from '../src/auth/passwords.js';
import { accountsCli } from '../src/cli/accounts.js';
import { openDatabase } from '@perftest/store';
import { backends, freshDatabase } from './helpers.js';

/** Runs the CLI in this process, capturing what it prints. */
async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await accountsCli(argv, { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) } });
  return { code, stdout, stderr };
}

describe('accounts CLI usage errors (exit 2, message naming the argument)', () => {
  const cases: Array<[string[], string]> = [
    [[], 'usage: perftest accounts'],
    [['frobnicate'], 'unknown accounts command "frobnicate"'],
    [['add'], 'accounts add: NAME is required'],
    [['add', '--projects', 'a'], 'accounts add: NAME is required'],
    [['add', 'alice'], '--projects is required'],
    [['add', 'alice', '--projects'], '--projects needs a value'],
    [['add', 'alice', '--projects', 'a,,b'], '--projects: each project id must be 1-128 characters, got ""'],
    [['add', 'alice', '--projects', 'x'.repeat(129)], '--projects: each project id must be 1-128 characters'],
    [['add', 'alice', '--projects', 'a', '--admin'], 'unexpected argument "--admin"'],
    [['add', 'al ice', '--projects', 'a'], 'NAME must be 1-64 letters'],
    [['list', 'extra'], 'accounts list: unexpected argument "extra"'],
    [['remove'], 'accounts remove: NAME is required'],
    [['remove', 'admin'], 'NAME: the bootstrap account "admin" cannot be removed'],
  ];
  it.each(cases)('%j', async (argv, message) => {
    const result = await cli(...argv);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(message);
  });

  it('prints help on stdout with exit 0', async () => {
    const result = await cli('--help');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('add NAME --projects');
  });
});

describe.each(backends())('accounts CLI on %s', (backend) => {
  const saved = { DATABASE_URL: process.env.DATABASE_URL, PERFTEST_DATA_DIR: process.env.PERFTEST_DATA_DIR };
  const dataDir = mkdtempSync(join(tmpdir(), 'perftest-cli-'));
  let drop = async (): Promise<void> => {};

  beforeAll(async () => {
    if (backend === 'postgres') {
      const fresh = await freshDatabase('postgres');
      await fresh.db.close();
      process.env.DATABASE_URL = fresh.url;
      drop = fresh.drop;
    } else {
      delete process.env.DATABASE_URL;
      process.env.PERFTEST_DATA_DIR = dataDir;
    }
  });
  afterAll(async () => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    await drop().catch(() => {});
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('adds, lists and removes accounts in the configured database', async () => {
    const keys = (stdout: string) => ({
      ak: /access key {2}(\S+)/.exec(stdout)?.[1] ?? '',
      sk: /secret key {2}(\S+)/.exec(stdout)?.[1] ?? '',
      password: /password {4}(\S+)/.exec(stdout)?.[1] ?? '',
    });
    const added = await cli('add', 'bob', '--projects', ' p1 , p2,p1');
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    expect(added.stdout).toContain('allowed on p1, p2');
    const bob = keys(added.stdout);

    const again = await cli('add', 'bob', '--projects', 'p3');
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('account "bob" already exists');

    const addedCarol = await cli('add', 'carol', '--projects=*');
    expect(addedCarol.code).toBe(0);
    const carol = keys(addedCarol.stdout);
    expect(carol.ak).toMatch(/^[A-Z0-9]{20}$/);

    const listed = await cli('list');
    expect(listed.code).toBe(0);
    const rows = listed.stdout.trim().split('\n').map((l) => l.split(/\s{2,}/));
    expect(rows).toEqual([['NAME', 'PROJECTS', 'ACCESS KEYS'], ['bob', 'p1,p2', bob.ak], ['carol', '*', carol.ak]]);
    expect(listed.stdout).not.toContain(bob.sk);
    expect(listed.stdout).not.toContain(carol.sk);

    const removed = await cli('remove', 'bob');
    expect(removed.code).toBe(0);
    const missing = await cli('remove', 'bob');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no account named "bob"');

    // What the CLI wrote is what the server reads: check through the same database.
    const db = await openDatabase({ databaseUrl: process.env.DATABASE_URL, dataDir });
    try {
      expect((await listAccounts(db)).map((a) => a.name)).toEqual(['carol']);
      expect(await findAccessKey(db, bob.ak)).toBeUndefined();
      const key = await findAccessKey(db, carol.ak);
      expect(key?.secretKey).toBe(carol.sk);
      expect(key?.principal.projects).toEqual(['*']);
      const [row] = await db.query<{ password_hash: string }>('select password_hash from accounts where name = $1', ['carol']);
      expect(await verifyPassword(carol.password, row.password_hash)).toBe(true);
    } finally {
      await db.close();
    }
  });

  it('reports a configuration error with exit 2', async () => {
    const before = process.env.PORT;
    process.env.PORT = 'abc';
    try {
      const result = await cli('list');
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('PORT must be an integer');
    } finally {
      if (before === undefined) delete process.env.PORT;
      else process.env.PORT = before;
    }
  });
});
