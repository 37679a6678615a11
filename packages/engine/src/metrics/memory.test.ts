/**
 * Memory per request card stays bounded whatever the number of cards: a thread's recorder, the
 * run's totals and a report's accumulator hold a few KB per card that ran (measured after a full
 * garbage collection), the same per card for 500 cards as for 4,000, and count every request.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { IntervalRow } from '@perftest/model';
import { describe, expect, it } from 'vitest';
import { RunTotals } from '../run/run-summary.js';
import { CaseRunAccumulator } from './accumulator.js';
import { IntervalRecorder } from './interval-recorder.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Retained bytes (JS heap and typed-array buffers) after a full collection. */
function retained(): number {
  gc();
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

/** Runs `cards` cards for `seconds` seconds, `perSecond` requests each, into the three structures. */
function measure(cards: number, seconds: number, perSecond: number) {
  const keys = Array.from({ length: cards }, (_, i) => `card-${i}`);
  const before = retained();
  const recorder = new IntervalRecorder();
  const totals = new RunTotals(keys.map((key) => ({ key, name: key, method: 'GET', url: `http://127.0.0.1/${key}`, protocolType: 1 })));
  const acc = new CaseRunAccumulator();
  let requests = 0;
  for (let s = 0; s < seconds; s++) {
    for (let i = 0; i < perSecond; i++) {
      for (let c = 0; c < cards; c++) {
        recorder.request(keys[c], { outcome: 'success', status: 200, responseTimeUs: 300 + ((c * 7919 + s * 104729 + i * 31) % 50_000), sentBytes: 100, recBytes: 900 });
        requests++;
      }
    }
    const interval = recorder.flush(1_000 + s, 1, perSecond * cards, 0, 0);
    totals.add(interval);
    acc.fold({ second: interval.second, share_index: 0, worker_id: 'w', data: JSON.parse(JSON.stringify(interval)) } as IntervalRow);
  }
  const perCard = (retained() - before) / cards;
  const summary = totals.summary('finished', 0, seconds * 1000, []);
  return { perCard, requests, recorded: summary.requests.requests, folded: acc.requestTotals().requests, cells: recorder.cellCount, accCards: acc.cards.size };
}

describe('memory per request card', () => {
  it('is a few KB per card, the same for 500 cards as for 4,000, and every request is counted', () => {
    const small = measure(500, 10, 2);
    const large = measure(4_000, 10, 2);
    for (const m of [small, large]) {
      expect(m.recorded).toBe(m.requests);
      expect(m.folded).toBe(m.requests);
    }
    expect([small.cells, small.accCards, large.cells, large.accCards]).toEqual([500, 500, 4_000, 4_000]);
    // Dense histograms held ~95 KB per card in the recorder and ~190 KB in each of the totals and
    // the accumulator; compact state for 10 seconds of a card is about 6 KB.
    expect(large.perCard).toBeLessThan(16 * 1024);
    expect(large.perCard).toBeLessThan(small.perCard * 1.5 + 512);
  });
});
