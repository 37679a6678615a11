/**
 * A run's totals without per-card figures (a worker's runs: their report is read from the stored
 * intervals) count the same requests and hold no state per card.
 */
import { describe, expect, it } from 'vitest';
import { IntervalRecorder } from '../metrics/interval-recorder.js';
import { RunTotals } from './run-summary.js';

describe('RunTotals without per-card figures', () => {
  it('sums the same requests as with them, and summarizes no card', () => {
    const keys = Array.from({ length: 50 }, (_, i) => `card-${i}`);
    const known = keys.map((key) => ({ key, name: key, method: 'GET', url: `http://127.0.0.1/${key}`, protocolType: 1 }));
    const [withCards, without] = [new RunTotals(known), new RunTotals(known, false)];
    const recorder = new IntervalRecorder();
    for (let s = 0; s < 5; s++) {
      for (let c = 0; c < keys.length; c += s + 1) {
        recorder.request(keys[c], { outcome: c % 7 === 0 ? 'timeout' : 'success', status: 200, responseTimeUs: 100 + c * 13 + s, sentBytes: 10, recBytes: 20 });
      }
      const interval = recorder.flush(1_000 + s, 1, 1, 0, 0);
      withCards.add(interval);
      without.add(interval);
    }
    const [a, b] = [withCards.summary('finished', 0, 5_000, []), without.summary('finished', 0, 5_000, [])];
    expect(Object.keys(a.cards)).toHaveLength(keys.length);
    expect(b.cards).toEqual({});
    expect(b.requests).toEqual(a.requests);
    expect(b.iterations).toEqual(a.iterations);
    expect(b.requests.requests).toBe(Object.values(a.cards).reduce((n, card) => n + card.requests, 0));
  });
});
