import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TestClient } from './helpers.js';
import { runCli, runServerToExit, startServer, type ServerProcess } from './processes.js';

/** The real server process on a fresh PGlite directory, started twice, with the CLI in between. */
describe('server start-up (real process, PGlite data dir)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'perftest-startup-'));
  const env = { PORT: '0', HOST: '127.0.0.1', PERFTEST_DATA_DIR: dataDir, LOG_LEVEL: 'warn', PERFTEST_WORKERS: '1' };
  let running: ServerProcess | undefined;
  let ak = '';
  let sk = '';
  let password = '';
  let alice: { ak: string; sk: string } = { ak: '', sk: '' };

  afterAll(async () => {
    await running?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('prints generated credentials once on first start, and they sign requests', async () => {
    running = await startServer(env);
    expect(running.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    ak = /PERFTEST_AK=(\S+)/.exec(running.banner)?.[1] ?? '';
    sk = /PERFTEST_SK=(\S+)/.exec(running.banner)?.[1] ?? '';
    password = /password for tokens \(user "admin", shown once\): (\S+)/.exec(running.banner)?.[1] ?? '';
    expect(ak).toMatch(/^[A-Z0-9]{20}$/);
    expect(sk.length).toBeGreaterThanOrEqual(30);
    expect(password.length).toBeGreaterThanOrEqual(12);
    expect(running.banner.match(/PERFTEST_AK=/g)).toHaveLength(1);

    const client = new TestClient(running.baseUrl, { kind: 'sign', ak, sk });
    const created = await client.post('/v1/proj-start/test-suites', { name: 'started', description: 'd' });
    expect(created.status).toBe(201);
    const listed = await client.get('/v1/proj-start/test-suites');
    expect(listed.status).toBe(200);
    expect(listed.body.projects.map((p: { name: string }) => p.name)).toEqual(['started']);

    const wrong = await client.get('/v1/proj-start/test-suites', { auth: { kind: 'sign', ak, sk: `${sk}x` } });
    expect(wrong.status).toBe(401);

    const token = await client.post(
      '/v3/auth/tokens',
      { auth: { identity: { methods: ['password'], password: { user: { name: 'admin', password } } }, scope: { project: { id: 'proj-start' } } } },
      { auth: { kind: 'none' } },
    );
    expect(token.status).toBe(201);
    expect(typeof token.headers['x-subject-token']).toBe('string');
  }, 90_000); // a first start runs initdb (processes.ts, startServer)

  it('refuses the CLI while the server holds the data dir, naming the server process', async () => {
    expect(existsSync(join(dataDir, 'perftest.lock'))).toBe(true);
    const busy = await runCli(['accounts', 'list'], { PERFTEST_DATA_DIR: dataDir });
    expect(busy.code).toBe(1);
    expect(busy.stderr).toContain(`is in use by process ${running?.child.pid}`);
    expect(busy.stderr).toContain('PGlite allows one process at a time');
  });

  it('stops on SIGTERM with exit code 0 and releases the data dir', async () => {
    const finished = await running!.stop();
    running = undefined;
    expect(finished.code).toBe(0);
    expect(existsSync(join(dataDir, 'perftest.lock'))).toBe(false);
  });

  it('adds an account with the CLI while the server is stopped', async () => {
    const added = await runCli(['accounts', 'add', 'alice', '--projects', 'proj-a,proj-b'], { PERFTEST_DATA_DIR: dataDir });
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    alice = {
      ak: /access key {2}(\S+)/.exec(added.stdout)?.[1] ?? '',
      sk: /secret key {2}(\S+)/.exec(added.stdout)?.[1] ?? '',
    };
    expect(alice.ak).toMatch(/^[A-Z0-9]{20}$/);
    expect(alice.sk.length).toBeGreaterThanOrEqual(30);

    const listed = await runCli(['accounts', 'list'], { PERFTEST_DATA_DIR: dataDir });
    expect(listed.code).toBe(0);
    const lines = listed.stdout.trim().split('\n').map((l) => l.split(/\s{2,}/));
    expect(lines).toEqual([
      ['NAME', 'PROJECTS', 'ACCESS KEYS'],
      ['admin', '*', ak],
      ['alice', 'proj-a,proj-b', alice.ak],
    ]);
    expect(listed.stdout).not.toContain(sk);
    expect(listed.stdout).not.toContain(alice.sk);
  });

  it('prints no credentials on a second start; old and CLI-made keys still work', async () => {
    running = await startServer(env);
    expect(running.banner).not.toContain('PERFTEST_AK=');
    expect(running.banner).not.toContain('password');
    const admin = new TestClient(running.baseUrl, { kind: 'sign', ak, sk });
    const listed = await admin.get('/v1/proj-start/test-suites');
    expect(listed.status).toBe(200);
    expect(listed.body.projects).toHaveLength(1);

    const asAlice = new TestClient(running.baseUrl, { kind: 'sign', ak: alice.ak, sk: alice.sk });
    expect((await asAlice.get('/v1/proj-a/test-suites')).status).toBe(200);
    expect((await asAlice.get('/v1/proj-start/test-suites')).status).toBe(403);
  }, 90_000);

  it('exits with code 2 and a message naming PORT on a bad PORT', async () => {
    const finished = await runServerToExit({ ...env, PORT: '70000' });
    expect(finished.code).toBe(2);
    expect(finished.stderr).toContain('PORT must be an integer from 0 to 65535, got "70000"');
    expect(finished.stdout).toBe('');
  });
});
