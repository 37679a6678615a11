import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import { backends, startTestServer, TestClient, type TestServer } from './helpers.js';
import { createAccount, removeAccount } from '../src/auth/accounts.js';
import { CredentialCache } from '../src/auth/credential-cache.js';
import { issueToken, TOKEN_TTL_MS } from '../src/auth/tokens.js';

describe.each(backends())('credential cache on %s', (backend) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(backend);
  });
  afterAll(async () => {
    await server?.close();
  });

  it('keeps a looked-up key for its TTL, forgets it after, and never keeps an unknown one', async () => {
    const bob = await createAccount(server.db, 'bob-ttl', ['p1']);
    const cache = new CredentialCache(server.db, 300);
    expect(await cache.accessKey('AKNOSUCHKEY000000001')).toBeUndefined();
    expect((await cache.accessKey(bob.accessKey))?.secretKey).toBe(bob.secretKey);
    await server.db.query('delete from access_keys where access_key = $1', [bob.accessKey]);
    const cached = await cache.accessKey(bob.accessKey);
    expect(cached?.secretKey).toBe(bob.secretKey);
    expect(cached?.principal.projects).toEqual(['p1']);
    await sleep(400);
    expect(await cache.accessKey(bob.accessKey)).toBeUndefined();
  });

  it('honours a token expiry that falls within the TTL, and clear() forgets at once', async () => {
    const [row] = await server.db.query<{ id: number }>(`select id from accounts where name = 'admin'`);
    const cache = new CredentialCache(server.db, 60_000);
    const soon = await issueToken(server.db, row.id, 'p9', new Date(Date.now() - TOKEN_TTL_MS + 300));
    const found = await cache.token(soon.token);
    expect(found?.principal.projects).toEqual(['p9']);
    expect(found?.expiresAt).toBe(soon.expiresAt.getTime());
    await sleep(450);
    expect(await cache.token(soon.token)).toBeUndefined();

    const long = await issueToken(server.db, row.id, undefined);
    expect((await cache.token(long.token))?.principal.name).toBe('admin');
    await server.db.query('delete from tokens');
    expect((await cache.token(long.token))?.principal.name).toBe('admin');
    cache.clear();
    expect(await cache.token(long.token)).toBeUndefined();
  });

  it('stops accepting a removed account on a running server at once (notification), not after the TTL', async () => {
    const carol = await createAccount(server.db, 'carol-cache', ['p1']);
    const client = new TestClient(server.baseUrl, { kind: 'sign', ak: carol.accessKey, sk: carol.secretKey });
    expect((await client.get('/v1/p1/test-suites')).status).toBe(200);
    // Gone from the database without a notification: the server still knows the key for a while.
    await server.db.query('delete from access_keys where access_key = $1', [carol.accessKey]);
    expect((await client.get('/v1/p1/test-suites')).status).toBe(200);
    expect(await removeAccount(server.db, 'carol-cache')).toBe(true);
    let status = 0;
    const started = Date.now();
    for (let i = 0; i < 80 && status !== 401; i++) {
      status = (await client.get('/v1/p1/test-suites')).status;
      if (status !== 401) await sleep(25);
    }
    expect(status).toBe(401);
    // Well within the 5 s TTL (the notification cleared the cache), with slack for a loaded machine.
    expect(Date.now() - started).toBeLessThan(4_000);
  });
});
