/**
 * runDebug's bound and its lone-user coordination, against a local HTTP server: a target that never
 * answers is cut at the bound with the finished requests kept; a rendezvous for 50 users does not
 * wait for them; debug bodies are cut and marked at 64 KB.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { displayBody, resultCode } from '../src/debug/debug-result.js';
import { runDebug } from '../src/debug/debug-run.js';

let server: http.Server;
let base = '';

beforeAll(async () => {
  server = http.createServer((req, res) => {
    if (req.url === '/hang') return; // never answers
    res.end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const get = (name: string, url: string) => ({
  data_type: 0,
  content: [{ content_type: 2, content: { protocol_type: 1, name, method: 'GET', url, return_timeout: 30_000 } }],
});

describe('runDebug', () => {
  it('cuts a run at its bound and keeps the requests that finished', async () => {
    const started = Date.now();
    const outcome = await runDebug({ case: { name: 'hang', contents: [get('first', `${base}/ok`), get('stuck', `${base}/hang`)] }, variables: [], transactions: [] }, 500);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(outcome.ok).toBe(true);
    if (!outcome.ok) return;
    expect(outcome.timedOut).toBe(true);
    expect(outcome.requests.map((r) => r.card.name)).toEqual(['first']);
  });

  it('does not wait at a rendezvous: the user is alone', async () => {
    const outcome = await runDebug(
      {
        case: { name: 'rv', contents: [{ data_type: 301, data: { users: 50, timeout: 30_000 } }, get('after', `${base}/ok`)] },
        variables: [],
        transactions: [],
      },
      10_000,
    );
    expect(outcome.ok && !outcome.timedOut && outcome.requests.map((r) => r.result.outcome)).toEqual(['success']);
  });

  it('shows bodies as text or base64, cut and marked past the limit', () => {
    expect(displayBody(Buffer.from('héllo'))).toBe('héllo');
    expect(displayBody(Buffer.from([0, 1, 2, 255]))).toBe('base64:AAEC/w==');
    expect(displayBody('é'.repeat(10), 5)).toBe('éé\n[truncated: first 4 of 20 bytes]');
    expect(displayBody(undefined)).toBe('');
    expect([resultCode('success'), resultCode('checkPointFailed'), resultCode('othersFailed')]).toEqual([1, 2, 6]);
  });
});
