/**
 * Controllers run by virtual users against a real server: loops, conditions, the VU-percentage
 * split, the throughput cap and rendezvous points; and the local coordination underneath.
 */
import type { Contents } from '@perftest/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalCoordination } from '../src/coordination/local.js';
import { caseOf, card, compileOrThrow, packet, runUsers, startServer, type TestServer } from './vu-helpers.js';

let server: TestServer;
let log: string[] = [];
beforeAll(async () => {
  server = await startServer((req, res) => {
    // logged when the response is sent, so that a delayed response is logged late
    const url = new URL(req.url ?? '/', 'http://h');
    const respond = () => {
      log.push(url.pathname + url.search);
      res.end('ok');
    };
    const delay = Number(url.searchParams.get('delay') ?? 0);
    if (delay > 0) setTimeout(respond, delay);
    else respond();
  });
});
afterAll(() => server.close());

const get = (path: string) => card(packet({ url: `${server.url}${path}` }));
const count = (prefix: string) => log.filter((l) => l.startsWith(prefix)).length;

describe('controllers', () => {
  it('loops N times and runs conditions only when they hold', async () => {
    log = [];
    const contents: Contents[] = [
      { data_type: 1, data: { assignments: [{ name: 'mode', value: 'fast' }, { name: 'n', value: '5' }] } },
      { data_type: 201, data: { count: 3, contents: [get('/loop'), { data_type: 201, data: { count: 2, contents: [get('/inner')] } }] } },
      { data_type: 202, conditions: { left: '${mode}', operator: 'equals', right: 'fast' }, data: { contents: [get('/yes')] } },
      { data_type: 202, conditions: { left: '${mode}', operator: '!=', right: 'fast' }, data: { contents: [get('/no')] } },
      { data_type: 202, conditions: [{ left: '${n}', operator: '>', right: '4' }, { left: '${n}', operator: '<=', right: '5' }], data: { contents: [get('/and')] } },
      { data_type: 202, conditions: { logic: 'OR', conditions: [{ left: '${n}', operator: '<', right: '1' }, { left: '${mode}', operator: 'regex', right: '^f' }] }, data: { contents: [get('/or')] } },
    ];
    const compiled = compileOrThrow({ case: caseOf(contents) });
    const { recorder } = await runUsers(compiled, 2, 2);
    await compiled.close();
    expect(count('/loop')).toBe(2 * 2 * 3);
    expect(count('/inner')).toBe(2 * 2 * 6);
    expect(count('/yes')).toBe(4);
    expect(count('/no')).toBe(0);
    expect(count('/and')).toBe(4);
    expect(count('/or')).toBe(4);
    expect(recorder.requests).toHaveLength(log.length);
  });

  it('splits users exactly by weight in fixed mode (60 users, 1:2:3 -> 10/20/30)', async () => {
    log = [];
    const compiled = compileOrThrow({
      case: caseOf([
        {
          data_type: 203,
          data: {
            mode: 'fixed',
            branches: [
              { weight: 1, contents: [get('/b1')] },
              { weight: 2, contents: [get('/b2')] },
              { weight: 3, contents: [get('/b3')] },
            ],
          },
        },
      ]),
    });
    await runUsers(compiled, 60, 2);
    await compiled.close();
    expect([count('/b1'), count('/b2'), count('/b3')]).toEqual([20, 40, 60]);
  });

  it('draws a branch per pass in random mode, following the weights', async () => {
    log = [];
    const compiled = compileOrThrow({
      case: caseOf([
        { data_type: 203, data: { mode: 'random', branches: [{ weight: 1, contents: [get('/r1')] }, { weight: 3, contents: [get('/r3')] }] } },
      ]),
    });
    await runUsers(compiled, 4, 100);
    await compiled.close();
    expect(count('/r1') + count('/r3')).toBe(400);
    expect(count('/r1')).toBeGreaterThan(50);
    expect(count('/r1')).toBeLessThan(150);
  });

  it('caps the rate of a throughput controller', async () => {
    log = [];
    const compiled = compileOrThrow({
      case: caseOf([{ data_type: 204, data: { rps: 40, contents: [get('/capped')] } }]),
    });
    const started = performance.now();
    await runUsers(compiled, 8, 5);
    const seconds = (performance.now() - started) / 1000;
    await compiled.close();
    expect(count('/capped')).toBe(40);
    // 40 tokens at 40/s, the first granted at once: at least 39/40 s
    expect(seconds).toBeGreaterThanOrEqual(0.95);
    expect(seconds).toBeLessThan(10);
  });

  it('releases users of a rendezvous point together', async () => {
    log = [];
    const compiled = compileOrThrow({
      case: caseOf([
        card(packet({ url: `${server.url}/before?delay=\${d}` })),
        { data_type: 301, data: { users: 5, timeout: 10_000 } },
        get('/after'),
      ]),
      variables: [{ name: 'd', variable_type: 2, variable: ['0', '60', '120', '180', '240'], variable_mode: 0, share_mode: 0 }],
    });
    await runUsers(compiled, 5, 1);
    await compiled.close();
    const lastBefore = log.map((l) => l.startsWith('/before')).lastIndexOf(true);
    const firstAfter = log.findIndex((l) => l.startsWith('/after'));
    expect(count('/after')).toBe(5);
    // every /before was answered before any /after arrived: nobody passed before the slowest
    expect(firstAfter).toBeGreaterThan(lastBefore);
  });

  it('releases a rendezvous point on timeout when too few users arrive', async () => {
    log = [];
    const compiled = compileOrThrow({
      case: caseOf([{ data_type: 301, data: { users: 10, timeout: 200 } }, get('/late')]),
    });
    const started = performance.now();
    await runUsers(compiled, 3, 1);
    await compiled.close();
    expect(count('/late')).toBe(3);
    expect(performance.now() - started).toBeGreaterThanOrEqual(195);
  });
});

describe('local coordination', () => {
  it('hands out cursor values in order per key', () => {
    const c = new LocalCoordination();
    expect([c.next('a'), c.next('a'), c.next('b'), c.next('a')]).toEqual([0, 1, 0, 2]);
  });

  it('lets an aborted user leave a rendezvous without releasing the others', async () => {
    const c = new LocalCoordination();
    const quitter = new AbortController();
    const stay = new AbortController();
    let released = 0;
    const a = c.rendezvous('p', 3, 0, stay.signal).then(() => released++);
    const b = c.rendezvous('p', 3, 0, quitter.signal);
    quitter.abort();
    await b;
    await new Promise((r) => setTimeout(r, 20));
    expect(released).toBe(0);
    void c.rendezvous('p', 3, 0, stay.signal);
    void c.rendezvous('p', 3, 0, stay.signal);
    await a;
    expect(released).toBe(1);
  });

  it('ends a throttle wait on abort', async () => {
    const c = new LocalCoordination();
    const ac = new AbortController();
    await c.throttle('t', 1, ac.signal);
    const waiting = c.throttle('t', 1, ac.signal);
    const started = performance.now();
    setTimeout(() => ac.abort(), 30);
    await waiting;
    expect(performance.now() - started).toBeLessThan(900);
  });
});
