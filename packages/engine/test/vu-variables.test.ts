/**
 * Global variables (every type, read mode and share mode), data instructions and system functions,
 * observed as the query strings a real server receives.
 */
import type { VariableDetail } from '@perftest/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalCoordination } from '../src/coordination/local.js';
import type { CompiledCase } from '../src/types.js';
import { caseOf, card, compileOrThrow, MemoryRecorder, packet, session, startServer, type TestServer } from './vu-helpers.js';

let server: TestServer;
beforeAll(async () => {
  server = await startServer((_req, res) => res.end('ok'));
});
afterAll(() => server.close());

/** Runs users concurrently, one iteration at a time each, and returns the query of every request per user. */
async function queries(compiled: CompiledCase, users: number, iterations: number): Promise<URLSearchParams[][]> {
  const coordination = new LocalCoordination();
  const out: URLSearchParams[][] = [];
  const vus = Array.from({ length: users }, (_, u) => {
    out.push([]);
    return compiled.createUser({
      session: session(u),
      recorder: new MemoryRecorder(),
      coordination,
      onDebug: (_key, result) => out[u].push(new URL(result.url ?? '').searchParams),
    });
  });
  for (let i = 0; i < iterations; i++) {
    for (const vu of vus) await vu.iterate();
  }
  await Promise.all(vus.map((vu) => vu.close()));
  await compiled.close();
  return out;
}

/** The requests in the order they were sent (iteration by iteration, user by user). */
function inOrder(perUser: URLSearchParams[][]): URLSearchParams[] {
  const out: URLSearchParams[] = [];
  for (let i = 0; i < perUser[0].length; i++) for (const user of perUser) out.push(user[i]);
  return out;
}

function caseWithQuery(query: string, variables: VariableDetail[], extra: Parameters<typeof caseOf>[0] = []) {
  return compileOrThrow({ case: caseOf([...extra, card(packet({ url: `${server.url}/v?${query}` }))]), variables });
}

describe('global variables', () => {
  it('integer, sequential, shared by the case: one cursor for all users', async () => {
    const compiled = caseWithQuery('n=${n}', [{ name: 'n', variable_type: 1, variable: [1, 12], variable_mode: 0, share_mode: 0 }]);
    const got = await queries(compiled, 3, 4);
    const values = inOrder(got).map((q) => Number(q.get('n')));
    expect(values).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  });

  it('integer, sequential, per user: each user has its own cursor and wraps', async () => {
    const compiled = caseWithQuery('n=${n}', [{ name: 'n', variable_type: 1, variable: ['1', '3'], variable_mode: 0, share_mode: 1 }]);
    const got = await queries(compiled, 2, 4);
    expect(got.map((user) => user.map((q) => q.get('n')))).toEqual([
      ['1', '2', '3', '1'],
      ['1', '2', '3', '1'],
    ]);
  });

  it('integer and enumeration, random: values in range, more than one of them', async () => {
    const compiled = caseWithQuery('n=${n}&e=${e}', [
      { name: 'n', variable_type: 1, variable: [5, 9], variable_mode: 1, share_mode: 0 },
      { name: 'e', variable_type: 2, variable: ['x', 'y', 'z'], variable_mode: 1, share_mode: 1 },
    ]);
    const got = (await queries(compiled, 2, 30)).flat();
    const n = new Set(got.map((q) => Number(q.get('n'))));
    const e = new Set(got.map((q) => q.get('e')));
    for (const v of n) expect(v >= 5 && v <= 9).toBe(true);
    for (const v of e) expect(['x', 'y', 'z']).toContain(v);
    expect(n.size).toBeGreaterThan(1);
    expect(e.size).toBeGreaterThan(1);
  });

  it('enumeration, sequential, shared; text as given; reads at every reference', async () => {
    const compiled = caseWithQuery('a=${e}&b=${e}&t=${t}', [
      { name: 'e', variable_type: 2, variable: ['a', 'b', 'c'], variable_mode: 0, share_mode: 0 },
      { name: 't', variable_type: 5, variable: ['{"json":true}'] },
    ]);
    const got = inOrder(await queries(compiled, 2, 2));
    expect(got.map((q) => `${q.get('a')}${q.get('b')}`)).toEqual(['ab', 'ca', 'bc', 'ab']);
    expect(got[0].get('t')).toBe('{"json":true}');
  });

  it('file rows keep columns aligned; a column read twice moves to the next row', async () => {
    const rows = { name: 'accounts', variable_type: 3, variable: [['user', 'pwd'], ['alice', 'a1'], ['bob', 'b2'], ['carol', 'c3']], variable_mode: 0, share_mode: 0 };
    const shared = await queries(caseWithQuery('u=${user}&p=${pwd}', [rows]), 2, 3);
    const pairs = inOrder(shared).map((q) => `${q.get('u')}:${q.get('p')}`);
    expect(pairs).toEqual(['alice:a1', 'bob:b2', 'carol:c3', 'alice:a1', 'bob:b2', 'carol:c3']);

    const csv = { name: 'csv', variable_type: 3, variable: ['user,pwd\r\n"O\'Neil, Jr",x1\r\nsmith,"y""2"\r\n'], variable_mode: 0, share_mode: 1 };
    const perUser = await queries(caseWithQuery('a=${user}&b=${user}&p=${pwd}', [csv]), 2, 1);
    for (const [q] of perUser) expect([q.get('a'), q.get('b'), q.get('p')]).toEqual(["O'Neil, Jr", 'smith', 'y"2']);
  });

  it('random file rows stay aligned', async () => {
    const rows = { name: 'r', variable_type: 3, variable: [['k', 'v'], ['1', 'one'], ['2', 'two'], ['3', 'three']], variable_mode: 1, share_mode: 0 };
    const names: Record<string, string> = { '1': 'one', '2': 'two', '3': 'three' };
    for (const q of (await queries(caseWithQuery('k=${k}&v=${v}', [rows]), 2, 10)).flat()) {
      expect(q.get('v')).toBe(names[q.get('k') ?? '']);
    }
  });
});

describe('data instructions and system functions', () => {
  it('assigns constants, copies, functions and arithmetic; locals shadow globals', async () => {
    const compiled = caseWithQuery(
      'ri=${ri}&rs=${rs}&ts=${ts}&ms=${ms}&tm=${tm}&id=${id}&copy=${copy}&sum=${sum}&div=${div}&g=${g}&inline=${__randomInt(3,3)}&unknown=${__nope(1)}&undef=${undef}',
      [{ name: 'g', variable_type: 2, variable: ['global'] }],
      [
        {
          data_type: 1,
          data: {
            assignments: [
              { name: 'ri', value: '${__randomInt(10,20)}' },
              { name: 'rs', value: '${__randomString(12)}' },
              { name: 'ts', value: '${__timestamp}' },
              { name: 'ms', value: '${__timestampMs}' },
              { name: 'tm', value: '${__time(yyyy-MM-dd HH:mm:ss,3600)}' },
              { name: 'id', value: '${__uuid}' },
              { name: 'copy', value: 'ri was ${ri}' },
              { name: 'sum', value: '${ri}', operator: '+', operand: '0.5', rounding: 'floor', decimals: 0 },
              { name: 'div', value: '10', operator: '/', operand: '3', rounding: 'round', decimals: 2 },
              { name: 'g', value: 'local' },
            ],
          },
        },
      ],
    );
    const before = Date.now();
    const [[q]] = await queries(compiled, 1, 1);
    const ri = Number(q.get('ri'));
    expect(ri >= 10 && ri <= 20).toBe(true);
    expect(q.get('rs')).toMatch(/^[a-z0-9]{12}$/);
    expect(q.get('ts')).toMatch(/^\d{10}$/);
    expect(Math.abs(Number(q.get('ts')) - before / 1000)).toBeLessThan(60);
    expect(q.get('ms')).toMatch(/^\d{13}$/);
    expect(Math.abs(Number(q.get('ms')) - before)).toBeLessThan(60_000);
    expect(q.get('tm')).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    const tm = new Date((q.get('tm') ?? '').replace(' ', 'T')).getTime();
    expect(Math.abs(tm - (before + 3_600_000))).toBeLessThan(60_000);
    expect(q.get('id')).toMatch(/^[0-9a-f]{32}$/);
    expect(q.get('copy')).toBe(`ri was ${ri}`);
    expect(q.get('sum')).toBe(String(ri));
    expect(q.get('div')).toBe('3.33');
    expect(q.get('g')).toBe('local');
    expect(q.get('inline')).toBe('3');
    expect(q.get('unknown')).toBe('${__nope(1)}');
    expect(q.get('undef')).toBe('${undef}');
  });
});
