/**
 * A report folds the rows it reads as stored, cells packed (packages/model/src/interval-codec.ts),
 * and earlier rows hold object cells: folding either form, or a mix, gives the same figures to the
 * last digit as folding the messages themselves.
 */
import { OUTCOMES, packInterval, type IntervalMessage, type IntervalRow, type StoredIntervalRow } from '@perftest/model';
import { describe, expect, it } from 'vitest';
import { CaseRunAccumulator } from './accumulator.js';
import { IntervalRecorder } from './interval-recorder.js';
import { CASE_COLUMNS } from './second-series.js';
import { summarize } from './summary.js';

/** Eight seconds of five cards with every outcome, several status classes, errors and an iteration cell. */
function intervals(): IntervalMessage[] {
  const recorder = new IntervalRecorder();
  const out: IntervalMessage[] = [];
  for (let s = 0; s < 8; s++) {
    for (let i = 0; i < 40 + s * 30; i++) {
      const card = `card-${(i * 7 + s) % 5}`;
      const outcome = OUTCOMES[(i + s) % OUTCOMES.length];
      const status = [200, 201, 302, 404, 503, 0][(i * 3 + s) % 6];
      recorder.request(card, {
        outcome,
        status,
        responseTimeUs: 50 + ((i * 7919 + s * 104729) % 900_000),
        sentBytes: 90 + i,
        recBytes: 400 + s,
        ...(outcome === 'success' ? {} : { error: `failed ${card} at ${s}` }),
      });
      if (i % 4 === 0) recorder.iteration({ ok: outcome === 'success', outcome, status, responseTimeUs: 300 + i * 11, sentBytes: 90, recBytes: 400 });
    }
    out.push(recorder.flush(1_000 + s, 3 + s, 10 + s, s % 2, s > 4 ? 1 : 0));
  }
  return out;
}

/** Every figure a report reads from an accumulator. */
function figures(acc: CaseRunAccumulator) {
  const cards = [...acc.cards].map(([key, card]) => ({ key, summary: summarize(card), error: card.error, seconds: [...card.seconds.raw()] }));
  const columns = Array.from({ length: CASE_COLUMNS }, (_, c) => [...acc.series.values(c)]);
  return { rows: acc.rowCount, total: summarize(acc.requestTotals()), iterations: summarize(acc.iterations), cards, columns, first: acc.series.first };
}

const row = (data: IntervalMessage, share = 0): IntervalRow => ({ case_run_id: 1, second: data.second, share_index: share, worker_id: 'w', data });
const stored = (data: IntervalMessage, share = 0): StoredIntervalRow => ({ case_run_id: 1, second: data.second, share_index: share, worker_id: 'w', data: packInterval(data) });

describe('folding stored rows', () => {
  it('gives the same figures from packed cells, from object cells and from a mix', () => {
    const messages = intervals();
    const plain = new CaseRunAccumulator();
    const packed = new CaseRunAccumulator();
    const mixed = new CaseRunAccumulator();
    messages.forEach((m, i) => {
      plain.fold(row(structuredClone(m)));
      packed.fold(stored(structuredClone(m)));
      mixed.fold(i % 2 === 0 ? stored(structuredClone(m)) : row(structuredClone(m)));
    });
    const expected = figures(plain);
    expect(expected.total.requests).toBeGreaterThan(500);
    expect(expected.cards).toHaveLength(5);
    expect(expected.cards.every((c) => c.error !== undefined)).toBe(true);
    expect(expected.iterations.requests).toBeGreaterThan(100);
    expect(figures(packed)).toEqual(expected);
    expect(figures(mixed)).toEqual(expected);
    // a row folded again, in either form, is ignored
    expect(packed.fold(row(structuredClone(messages[3])))).toBe(false);
    expect(figures(packed)).toEqual(expected);
  });
});
