/**
 * Garbage-collection tuning for a load-generating process. Virtual users keep many objects alive for
 * about one iteration (async frames, timers, in-flight requests); they outlive V8's young generation
 * and are promoted, and with V8's default heap growth the old space then grows to two or three times
 * the live heap before a full collection. A smaller growth step keeps a 10,000-user process near its
 * live size at the price of more frequent (incremental) full collections.
 */
import v8 from 'node:v8';

/** Old-space growth step, in percent of the live heap after a full collection. */
export const LOAD_HEAP_GROWING_PERCENT = 10;

let tuned = false;

/** Applies the tuning to this process (once; later calls do nothing). Call it before a large run starts. */
export function tuneHeapForLoad(percent = LOAD_HEAP_GROWING_PERCENT): void {
  if (tuned) return;
  tuned = true;
  v8.setFlagsFromString(`--heap-growing-percent=${percent}`);
}
