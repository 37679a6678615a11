/**
 * Branch selection of the VU-percentage controller (data_type 203). Fixed mode assigns user `u` the
 * branch at position `u mod W` of a smooth weighted round-robin sequence (W = sum of the weights
 * divided by their gcd): every W consecutive users split exactly by the weights, and every prefix is
 * within one user of the ideal split. Random mode draws a branch per pass, proportional to weight.
 */

/** Precomputed weights of one controller. */
export class WeightTable {
  private readonly weights: readonly number[];
  private readonly total: number;
  private sequence: Uint16Array | null = null;

  constructor(weights: readonly number[]) {
    const divisor = weights.reduce(gcd, 0) || 1;
    this.weights = weights.map((w) => w / divisor);
    this.total = this.weights.reduce((a, b) => a + b, 0);
  }

  /** The branch of user `userIndex` in fixed mode. */
  forUser(userIndex: number): number {
    const sequence = this.sequence ?? (this.sequence = this.buildSequence());
    const n = sequence.length;
    return sequence[((userIndex % n) + n) % n];
  }

  /** A branch drawn at random, proportional to the weights. */
  draw(): number {
    let r = Math.random() * this.total;
    const { weights } = this;
    for (let i = 0; i < weights.length; i++) {
      r -= weights[i];
      if (r < 0) return i;
    }
    return weights.length - 1;
  }

  private buildSequence(): Uint16Array {
    const { weights, total } = this;
    const current = new Float64Array(weights.length);
    const sequence = new Uint16Array(total);
    for (let k = 0; k < total; k++) {
      let best = 0;
      for (let i = 0; i < weights.length; i++) {
        current[i] += weights[i];
        if (current[i] > current[best]) best = i;
      }
      current[best] -= total;
      sequence[k] = best;
    }
    return sequence;
  }
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}
