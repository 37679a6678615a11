import { describe, expect, it } from 'vitest';
import type { Interruption } from '@perftest/model';
import { downSeconds } from './downtime.js';

const T = 1_760_000_000;
const at = (s: number) => new Date(s * 1000).toISOString();
const gap = (share: number, count: number, from: number, to: number): Interruption => ({
  share,
  share_count: count,
  worker: 'w',
  host: 'h',
  from: at(from),
  to: at(to),
  seconds: to - from,
  reason: 'worker w on h stopped heartbeating',
  resumed: true,
});

describe('downSeconds', () => {
  it('counts the whole seconds of a gap inside the data window', () => {
    // Down from T+4.3 to T+9.6: seconds T+5 .. T+8 are wholly down (4), the partial ones are not.
    expect(downSeconds([gap(0, 1, T + 4.3, T + 9.6)], T, T + 19)).toBe(4);
    expect(downSeconds([gap(0, 1, T + 4, T + 10)], T, T + 19)).toBe(6);
    // Clipped to the window, and nothing outside it (a gap after the last data).
    expect(downSeconds([gap(0, 1, T - 5, T + 2)], T, T + 19)).toBe(2);
    expect(downSeconds([gap(0, 1, T + 20, T + 40)], T, T + 19)).toBe(0);
    // Two gaps of one share add up; overlapping entries count once.
    expect(downSeconds([gap(0, 1, T + 2, T + 4), gap(0, 1, T + 3, T + 6), gap(0, 1, T + 10, T + 12)], T, T + 19)).toBe(6);
  });

  it('counts only the seconds every share was down', () => {
    expect(downSeconds([gap(0, 2, T + 2, T + 8)], T, T + 19)).toBe(0);
    expect(downSeconds([gap(0, 2, T + 2, T + 8), gap(1, 2, T + 5, T + 12)], T, T + 19)).toBe(3);
    expect(downSeconds([], T, T + 19)).toBe(0);
  });
});
