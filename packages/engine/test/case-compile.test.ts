/**
 * Case compilation: every problem listed with its path, transaction inlining (and cycles), card
 * ordering, the card list, and the compiled pieces (templates, key paths, weights, CSV).
 */
import type { Contents, Transaction } from '@perftest/model';
import { describe, expect, it } from 'vitest';
import { compileCase } from '../src/compile/compile-case.js';
import { parseCsv } from '../src/compile/csv.js';
import { compileKeyPath, evaluateKeyPath } from '../src/compile/json-path.js';
import { compileTemplate } from '../src/compile/template.js';
import { WeightTable } from '../src/compile/weights.js';
import { caseOf, card, checkpoint, extraction, packet } from './vu-helpers.js';

const URL = 'http://127.0.0.1:9/x';

function problemsOf(contents: Contents[], extra: Partial<Parameters<typeof compileCase>[0]> = {}) {
  const result = compileCase({ case: caseOf(contents), ...extra });
  if (result.ok) throw new Error('expected the case to be rejected');
  return result.problems;
}

function nested(depth: number): Contents {
  let inner: Contents = card(packet({ url: URL }));
  for (let i = 0; i < depth; i++) inner = { data_type: 201, data: { count: 1, contents: [inner] } };
  return inner;
}

describe('compile problems', () => {
  it('lists every problem of an invalid case with its path', () => {
    const problems = problemsOf(
      [
        card(packet({ url: URL, protocol_type: 5 })),
        card(packet({ url: '' })),
        card(packet({ url: URL, method: 'FETCH', connect_timeout: -3 })),
        card(packet({ url: URL }), checkpoint([{ source: 'body', operator: 'regex', value: '(unclosed' }])),
        { content_id: 999, data_type: 0 },
        { data_type: 201, data: { count: 'many', contents: [] } },
        nested(11),
        { data_type: 77 },
        card(checkpoint([{ source: 'status', operator: 'equals', value: '200' }]), packet({ url: URL })),
        card(packet({ url: `${URL}?n=\${__randomInt(9,1)}` })),
        card(packet({ url: URL }), extraction({ name: 'x', source: 'json', expression: 'a..b' }, { name: '', source: 'body', expression: '(', match_no: 0 })),
        { data_type: 203, data: { branches: [{ weight: 0, contents: [] }] } },
        { data_type: 204, data: { rps: 20_000_000, contents: [] } },
        { data_type: 301, data: { timeout: 5 } },
        { data_type: 202, conditions: { left: '${a}', operator: 'like', right: 'b' }, data: { contents: [] } },
        { data_type: 1, data: { assignments: [{ name: 'x', value: '1', operator: '%', operand: '2' }] } },
        card({ content_type: 1, content: { think_time: -1 } }),
      ],
      { variables: [{ name: 'bad', variable_type: 1, variable: [5, 1] }, { name: 'f', variable_type: 3, variable: [['a', 'b'], ['1']] }] },
    );
    const paths = problems.map((p) => p.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'contents[0].content[0].content.protocol_type',
        'contents[1].content[0].content.url',
        'contents[2].content[0].content.method',
        'contents[2].content[0].content.connect_timeout',
        'contents[3].content[1].content.checks[0].value',
        'contents[4].content_id',
        'contents[5].data.count',
        expect.stringMatching(/^contents\[6\](\.data\.contents\[0\]){10}$/),
        'contents[7].data_type',
        'contents[8].content[0]',
        'contents[9].content[0].content',
        'contents[10].content[1].content.extractions[0].expression',
        'contents[10].content[1].content.extractions[1].name',
        'contents[10].content[1].content.extractions[1].match_no',
        'contents[10].content[1].content.extractions[1].expression',
        'contents[11].data.branches[0].weight',
        'contents[12].data.rps',
        'contents[13].data.users',
        'contents[14].conditions.operator',
        'contents[15].data.assignments[0].operator',
        'contents[16].content[0].content.think_time',
        'variables[0].variable',
        'variables[1].variable',
      ]),
    );
    expect(problems.find((p) => p.path === 'contents[4].content_id')?.message).toContain('999');
    expect(problems.find((p) => p.path.startsWith('contents[6]'))?.message).toContain('10 levels');
    expect(problems.find((p) => p.path === 'contents[3].content[1].content.checks[0].value')?.message).toContain('regular expression');
    for (const p of problems) expect(p.message.length).toBeGreaterThan(5);
  });

  it('accepts controllers nested exactly 10 levels', () => {
    expect(compileCase({ case: caseOf([nested(10)]) }).ok).toBe(true);
  });

  it('rejects a case with no enabled request', () => {
    const problems = problemsOf([{ ...card(packet({ url: URL })), is_disabled: true }]);
    expect(problems).toEqual([{ path: 'contents', message: 'the case has no enabled request to run' }]);
  });
});

describe('transactions and card order', () => {
  const login: Transaction = {
    id: 10,
    name: 'login',
    contents: [
      { content_id: 10, index: 1, content: [packet({ url: `${URL}/second` })] },
      { content_id: 10, index: 0, content: [packet({ url: `${URL}/first`, name: 'first step' })] },
      { content_id: 2346, index: 2, content: [packet({ url: `${URL}/packet-id` })] },
      { content_id: 11, index: 3 },
    ],
  };
  const inner: Transaction = { id: 11, name: 'inner', contents: [{ content_id: 0, content: [packet({ url: `${URL}/inner` })] }] };

  it('inlines transactions at their position, in index order, dropping disabled cards', () => {
    const result = compileCase({
      case: caseOf([
        { ...card(packet({ url: `${URL}/last` })), index: 9 },
        { content_id: 10, index: 5, selected_temp_name: 'login' },
        { ...card(packet({ url: `${URL}/off` })), index: 1, is_disabled: true },
        { ...card(packet({ url: `${URL}/start`, method: 'post' })), index: 0 },
      ]),
      transactions: [login, inner],
    });
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    expect(result.compiled.cards.map((c) => c.url)).toEqual([
      `${URL}/start`,
      `${URL}/first`,
      `${URL}/second`,
      `${URL}/packet-id`,
      `${URL}/inner`,
      `${URL}/last`,
    ]);
    const [start, first, second, , innerCard] = result.compiled.cards;
    expect(start).toEqual({ key: 'contents[3].content[0]', name: `POST ${URL}/start`, method: 'POST', url: `${URL}/start`, protocolType: 1 });
    expect(first).toMatchObject({ key: 'contents[1].transaction[10].contents[1].content[0]', name: 'first step' });
    expect(second.name).toBe('login');
    expect(innerCard.key).toBe('contents[1].transaction[10].contents[3].transaction[11].contents[0].content[0]');
    void result.compiled.close();
  });

  it('reports reference cycles and unknown ids inside transactions', () => {
    const a: Transaction = { id: 1, name: 'a', contents: [{ content_id: 2 }] };
    const b: Transaction = { id: 2, name: 'b', contents: [{ content_id: 1 }, { content_id: 77 }] };
    const problems = problemsOf([{ content_id: 1 }, card(packet({ url: URL }))], { transactions: [a, b] });
    expect(problems).toEqual(
      expect.arrayContaining([
        {
          path: 'contents[0].transaction[1].contents[0].transaction[2].contents[0].content_id',
          message: 'transaction reference cycle: 1 -> 2 -> 1',
        },
        {
          path: 'contents[0].transaction[1].contents[0].transaction[2].contents[1].content_id',
          message: 'content_id 77 names no transaction of the project',
        },
      ]),
    );
  });
});

describe('compiled pieces', () => {
  const vars = new Map<string, string>([['a', 'A'], ['b', '']]);
  const scope = { get: (n: string) => vars.get(n), set: (n: string, v: string) => void vars.set(n, v) };

  it('compiles templates into constants and slots', () => {
    expect(compileTemplate('plain').constant).toBe(true);
    expect(compileTemplate('x${a}y${b}z${c}').render(scope)).toBe('xAyz${c}');
    expect(compileTemplate('${__nope}${a}').render(scope)).toBe('${__nope}A');
    const errors: string[] = [];
    expect(compileTemplate('${__randomString(33)}', (m) => errors.push(m)).render(scope)).toBe('${__randomString(33)}');
    expect(errors[0]).toContain('1 to 32');
    expect(compileTemplate('${__time(HH:mm)}').render(scope)).toMatch(/^\d\d:\d\d$/);
  });

  it('evaluates JSON key paths', () => {
    const doc = { data: { items: [{ id: 1 }, { id: 2 }] }, name: { first: 'Ada' } };
    const path = (p: string) => {
      const compiled = compileKeyPath(p);
      if (typeof compiled === 'string') throw new Error(compiled);
      return evaluateKeyPath(doc, compiled);
    };
    expect(path('data.items.1.id')).toBe(2);
    expect(path('data.items.#')).toBe(2);
    expect(path('$.data.items[0].id')).toBe(1);
    expect(path('name.first')).toBe('Ada');
    expect(path('name.last')).toBeUndefined();
    expect(path('data.items.5')).toBeUndefined();
    expect(compileKeyPath('a..b')).toMatch(/empty segment/);
  });

  it('splits every W consecutive users exactly by weight', () => {
    const table = new WeightTable([5000, 5000]);
    expect([0, 1, 2, 3].map((u) => table.forUser(u)).sort()).toEqual([0, 0, 1, 1]);
    const t = new WeightTable([1, 2, 3]);
    const counts = [0, 0, 0];
    for (let u = 0; u < 60; u++) counts[t.forUser(u)]++;
    expect(counts).toEqual([10, 20, 30]);
    const small = [0, 0, 0];
    for (let u = 0; u < 7; u++) small[new WeightTable([1, 2, 3]).forUser(u)]++;
    for (let b = 0; b < 3; b++) expect(Math.abs(small[b] - (7 * (b + 1)) / 6)).toBeLessThanOrEqual(1);
  });

  it('parses CSV with quotes, escaped quotes and CRLF', () => {
    expect(parseCsv('\uFEFFa,b\r\n"x, y","say ""hi"""\n\n3,\n')).toEqual([
      ['a', 'b'],
      ['x, y', 'say "hi"'],
      ['3', ''],
    ]);
  });
});
