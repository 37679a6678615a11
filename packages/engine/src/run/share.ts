/**
 * How one case run is divided among worker processes and threads. A share is a path of levels
 * (worker `index` of `count`, then thread `index` of `count`, ...). Every division is exact: the parts
 * of a total over all shares add up to the total, and the run-wide start sequence of an open-model
 * stage is dealt out round-robin so that every start belongs to exactly one share.
 */
import type { ShareLevel } from '@perftest/model';

export type { ShareLevel };

/** One part of a run: divides users, iteration counts and TPS starts exactly. */
export class Share {
  /** The whole run (one share only). */
  static readonly WHOLE = new Share([]);

  readonly levels: readonly ShareLevel[];
  /** Number of leaf shares the run is divided into. */
  readonly leaves: number;
  /** Position of this share among the leaves (0-based, in level order). */
  readonly leaf: number;

  constructor(levels: readonly ShareLevel[]) {
    for (const { index, count } of levels) {
      if (!Number.isInteger(count) || count < 1) throw new Error('share.count must be a positive integer');
      if (!Number.isInteger(index) || index < 0 || index >= count) {
        throw new Error('share.index must be an integer in [0, share.count)');
      }
    }
    this.levels = levels;
    let leaves = 1;
    let leaf = 0;
    for (const { index, count } of levels) {
      leaves *= count;
      leaf = leaf * count + index;
    }
    this.leaves = leaves;
    this.leaf = leaf;
  }

  /** This share divided once more into `count` parts, of which it is part `index`. */
  child(index: number, count: number): Share {
    return new Share([...this.levels, { index, count }]);
  }

  /**
   * This share's part of a whole number (users, iterations): at each level the total is divided as
   * evenly as possible, the first parts taking one more (10 over 3 gives 4, 3, 3).
   */
  part(total: number): number {
    let n = Math.max(0, Math.floor(total));
    for (const { index, count } of this.levels) n = Math.floor(n / count) + (index < n % count ? 1 : 0);
    return n;
  }

  /**
   * Whether the run-wide `k`-th start (0-based) of an open-model schedule belongs to this share.
   * Starts are dealt round-robin level by level, so among the first `n` starts this share owns
   * exactly `part(n)`.
   */
  owns(k: number): boolean {
    for (const { index, count } of this.levels) {
      if (k % count !== index) return false;
      k = Math.floor(k / count);
    }
    return true;
  }

  /**
   * This share's part of `total` divided in proportion to weights that are themselves a whole number
   * `weightTotal` shared out by `part` (a by-count stage's iterations follow the users that run them).
   * Largest remainders, ties by leaf order; the parts over all shares add up to `total`.
   */
  weightedPart(total: number, weightTotal: number): number {
    total = Math.max(0, Math.floor(total));
    if (this.levels.length === 0) return total;
    const weights = Share.allLeaves(this.levels).map((s) => s.part(weightTotal));
    const sum = weights.reduce((a, b) => a + b, 0);
    if (sum === 0) return 0;
    const base = weights.map((w) => Math.floor((total * w) / sum));
    let rest = total - base.reduce((a, b) => a + b, 0);
    const order = weights
      .map((w, i) => ({ i, rem: (total * w) % sum }))
      .sort((a, b) => b.rem - a.rem || a.i - b.i);
    for (const { i } of order) {
      if (rest === 0) break;
      base[i]++;
      rest--;
    }
    return base[this.leaf];
  }

  /** A run-wide unique user id for this share's `local`-th user. */
  userId(local: number): number {
    return local * this.leaves + this.leaf;
  }

  /** Every leaf share with the same level counts, in leaf order. */
  private static allLeaves(levels: readonly ShareLevel[]): Share[] {
    let paths: ShareLevel[][] = [[]];
    for (const { count } of levels) {
      const next: ShareLevel[][] = [];
      for (const path of paths) for (let i = 0; i < count; i++) next.push([...path, { index: i, count }]);
      paths = next;
    }
    return paths.map((p) => new Share(p));
  }
}
