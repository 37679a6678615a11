/**
 * A histogram of the standard layout (histogram.ts) that holds only its buckets in use: an
 * open-addressing table of bucket index -> count, a few hundred bytes for the handful of buckets a
 * request card fills, where a dense histogram holds 95-190 KB whatever it records. Every merge and
 * whole-run total (threads, workers, seconds, report cells) is one. Percentiles walk the used
 * buckets in order with the library's definition (the count at a percentile rounded up as
 * hdr-histogram-js does, the bucket's highest equivalent value), so they equal what a library
 * histogram fed the same values answers.
 */
import { clampUs, histogramLayout } from './histogram.js';

/** 2^-52 times the power of two at or below x: the library's ulp(). */
function ulp(x: number): number {
  return 2 ** (Math.floor(Math.log2(x)) - 52);
}

/** A sparse histogram of the standard layout. */
export class CompactHistogram {
  /** Values recorded (the sum of the counts). */
  totalCount = 0;
  /** Bucket index + 1 per slot (0: empty), and its count. */
  private keys: Int32Array;
  private counts: Float64Array;
  private used = 0;
  /** Used bucket indices in ascending order, while no new bucket was added. */
  private sorted: Int32Array | undefined;

  /** `capacity`: buckets it holds before its table grows. */
  constructor(capacity = 16) {
    const size = 2 ** Math.ceil(Math.log2(Math.max(4, capacity * 2)));
    this.keys = new Int32Array(size);
    this.counts = new Float64Array(size);
  }

  /** Buckets in use. */
  get bucketCount(): number {
    return this.used;
  }

  /** Counts `count` values of `us` (clamped to the layout's range). */
  recordValue(us: number, count = 1): void {
    this.addAtIndex(histogramLayout().indexOf(clampUs(us)), count);
  }

  /** Adds `count` to bucket `index`. */
  addAtIndex(index: number, count: number): void {
    if (count === 0) return;
    const slot = this.slotOf(index);
    if (this.keys[slot] === 0) {
      this.keys[slot] = index + 1;
      this.used++;
      this.sorted = undefined;
      this.counts[slot] = count;
      if (this.used * 2 > this.keys.length) this.grow();
    } else {
      this.counts[slot] += count;
    }
    this.totalCount += count;
  }

  /** The count of bucket `index`. */
  countAtIndex(index: number): number {
    const slot = this.slotOf(index);
    return this.keys[slot] === 0 ? 0 : this.counts[slot];
  }

  /** Adds every bucket of `other`. */
  add(other: CompactHistogram): void {
    const { keys, counts } = other;
    for (let slot = 0; slot < keys.length; slot++) if (keys[slot] !== 0) this.addAtIndex(keys[slot] - 1, counts[slot]);
  }

  /** Calls `fn` for each used bucket in ascending index order. */
  forEachBucket(fn: (index: number, count: number) => void): void {
    for (const index of this.order()) fn(index, this.countAtIndex(index));
  }

  /** Empties the histogram (keeping its table). */
  reset(): void {
    this.keys.fill(0);
    this.used = 0;
    this.totalCount = 0;
    this.sorted = undefined;
  }

  /** The value at `percentile` (0-100) as hdr-histogram-js defines it; 0 when empty. */
  getValueAtPercentile(percentile: number): number {
    if (this.totalCount === 0) return 0;
    const requested = Math.min(percentile, 100);
    const fp = (requested / 100) * this.totalCount;
    const target = Math.max(Math.ceil(fp - ulp(fp)), 1);
    const { lowest, highest } = histogramLayout();
    let running = 0;
    let last = 0;
    for (const index of this.order()) {
      running += this.countAtIndex(index);
      last = index;
      if (running >= target) return percentile === 0 ? lowest[index] : highest[index];
    }
    return highest[last];
  }

  private order(): Int32Array {
    if (this.sorted === undefined) {
      const out = new Int32Array(this.used);
      let n = 0;
      for (let slot = 0; slot < this.keys.length; slot++) if (this.keys[slot] !== 0) out[n++] = this.keys[slot] - 1;
      this.sorted = out.sort();
    }
    return this.sorted;
  }

  /** The slot holding `index`, or the empty slot where it goes. */
  private slotOf(index: number): number {
    const mask = this.keys.length - 1;
    let hash = Math.imul(index + 1, 0x9e3779b1);
    hash ^= hash >>> 15;
    let slot = hash & mask;
    for (;;) {
      const key = this.keys[slot];
      if (key === 0 || key === index + 1) return slot;
      slot = (slot + 1) & mask;
    }
  }

  private grow(): void {
    const { keys, counts } = this;
    // small tables grow fourfold: a card's first seconds add buckets fast
    const size = keys.length * (keys.length < 1024 ? 4 : 2);
    this.keys = new Int32Array(size);
    this.counts = new Float64Array(size);
    for (let slot = 0; slot < keys.length; slot++) {
      if (keys[slot] === 0) continue;
      const to = this.slotOf(keys[slot] - 1);
      this.keys[to] = keys[slot];
      this.counts[to] = counts[slot];
    }
  }
}
