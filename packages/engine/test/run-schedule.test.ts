import { describe, expect, it } from 'vitest';
import { ArrivalSchedule, type RateFunction } from '../src/run/arrival-schedule.js';
import { Share } from '../src/run/share.js';

/** Every start time (ms) a schedule makes up to `untilMs`, taking them as they come. */
function times(schedule: ArrivalSchedule, untilMs: number): number[] {
  const out: number[] = [];
  for (let horizon = 0; horizon <= untilMs; horizon += 7) {
    for (;;) {
      const t = schedule.nextTime(horizon);
      if (Number.isNaN(t)) break;
      schedule.take();
      out.push(t);
    }
  }
  return out;
}

describe('Share', () => {
  it.each([
    [10, 3, [4, 3, 3]],
    [2, 3, [1, 1, 0]],
    [9, 3, [3, 3, 3]],
    [0, 2, [0, 0]],
  ])('divides %i over %i as %j', (total, count, parts) => {
    const got = Array.from({ length: count }, (_, i) => new Share([{ index: i, count }]).part(total));
    expect(got).toEqual(parts);
  });

  it('divides exactly over nested levels (workers x threads)', () => {
    const leaves: Share[] = [];
    for (let w = 0; w < 3; w++) for (let t = 0; t < 2; t++) leaves.push(new Share([{ index: w, count: 3 }]).child(t, 2));
    for (const total of [0, 1, 5, 7, 100, 1001]) {
      expect(leaves.reduce((sum, s) => sum + s.part(total), 0)).toBe(total);
      const owned = leaves.map((s) => Array.from({ length: total }, (_, k) => k).filter((k) => s.owns(k)).length);
      expect(owned).toEqual(leaves.map((s) => s.part(total)));
    }
    expect(new Set(leaves.map((s) => s.userId(3))).size).toBe(6);
  });

  it('divides a count in proportion to users, leaving shares without users at zero', () => {
    const shares = [0, 1, 2].map((i) => new Share([{ index: i, count: 3 }]));
    expect(shares.map((s) => s.weightedPart(100, 2))).toEqual([50, 50, 0]);
    expect(shares.map((s) => s.weightedPart(10, 10))).toEqual([4, 3, 3]);
    expect(shares.map((s) => s.weightedPart(7, 0))).toEqual([0, 0, 0]);
  });

  it('refuses an index outside its count', () => {
    expect(() => new Share([{ index: 3, count: 3 }])).toThrow('share.index must be an integer in [0, share.count)');
  });
});

describe('ArrivalSchedule', () => {
  const constant = (r: number): RateFunction => () => r;
  it.each<[string, RateFunction, number, number]>([
    ['constant 100/s over 2 s', constant(100), 2000, 200],
    ['constant 5000/s over 1 s', constant(5000), 1000, 5000],
    ['constant 0.5/s over 9 s', constant(0.5), 9000, 5],
    ['ramp 0 -> 100/s over 2 s', (t) => 50 * t, 2000, 100],
    ['step 10/s then 90/s', (t) => (t < 1 ? 10 : 90), 2000, 100],
    ['zero rate', constant(0), 2000, 0],
  ])('%s makes exactly the integral of starts', (_name, rate, endMs, expected) => {
    const all = times(new ArrivalSchedule(rate, Share.WHOLE, endMs), endMs + 50);
    expect(all.length).toBe(expected);
    for (let i = 1; i < all.length; i++) expect(all[i]).toBeGreaterThanOrEqual(all[i - 1]);
    expect(all.every((t) => t >= 0 && t < endMs)).toBe(true);
  });

  it('spaces a constant rate exactly, independent of when it is asked', () => {
    const all = times(new ArrivalSchedule(constant(250), Share.WHOLE, 1000), 1100);
    all.forEach((t, k) => expect(t).toBeCloseTo(k * 4, 6));
  });

  it('deals the same run-wide sequence to shares without gaps or overlaps', () => {
    const rate: RateFunction = (t) => 300 + 200 * Math.sin(t * 3);
    const whole = times(new ArrivalSchedule(rate, Share.WHOLE, 1500), 1600);
    const parts = [0, 1, 2].map((i) => times(new ArrivalSchedule(rate, new Share([{ index: i, count: 3 }]), 1500), 1600));
    const merged = parts.flat().sort((a, b) => a - b);
    expect(merged.length).toBe(whole.length);
    merged.forEach((t, i) => expect(t).toBeCloseTo(whole[i], 6));
  });

  it('stops at the run-wide count of a by-count stage', () => {
    const shares = [0, 1].map((i) => new ArrivalSchedule(constant(1000), new Share([{ index: i, count: 2 }]), Infinity, 301));
    const counts = shares.map((s) => times(s, 1000).length);
    expect(counts).toEqual([151, 150]);
    expect(shares.every((s) => s.finished)).toBe(true);
  });

  it('switches rate at the announced instant', () => {
    const schedule = new ArrivalSchedule(constant(100), Share.WHOLE, 2000);
    const before = times(schedule, 999);
    schedule.setRate(constant(300), 1000);
    const after = times(schedule, 2100);
    expect(before.length).toBe(100);
    expect(after.length).toBe(300);
  });
});
