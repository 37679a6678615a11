/**
 * Garbage-collection tuning for a load-generating process. Virtual users keep many objects alive for
 * about one iteration (async frames, timers, in-flight requests); they outlive V8's young generation
 * and are promoted, and with V8's default heap growth the old space then grows to two or three times
 * the live heap before a full collection. A smaller growth step keeps a 10,000-user process near its
 * live size at the price of more frequent (incremental) full collections.
 *
 * When the load runs on the calling thread, the young generation is also held at the size it has
 * when the run starts (semi-space growth factor 1; `--max-semi-space-size` only works as a start
 * flag): left to grow it reaches 16 MB semi-spaces, and the peak RSS of 10,000 users was 12-16 MB
 * higher; in a 64-connection throughput run the scavenges cost the same per request either way
 * (bench/RESULTS.md "Engine"). The flag is process-wide, so it is left alone when engine threads
 * run the load: their young generations start small and must grow.
 */
import v8 from 'node:v8';

/** Old-space growth step, in percent of the live heap after a full collection. */
export const LOAD_HEAP_GROWING_PERCENT = 10;

let tuned = false;

/**
 * Applies the tuning to this process (once; later calls do nothing). Call it before a large run
 * starts; `holdYoungGeneration` only when the run uses the calling thread (threads = 1).
 */
export function tuneHeapForLoad(percent = LOAD_HEAP_GROWING_PERCENT, holdYoungGeneration = true): void {
  if (tuned) return;
  tuned = true;
  v8.setFlagsFromString(`--heap-growing-percent=${percent}`);
  if (holdYoungGeneration) v8.setFlagsFromString('--semi-space-growth-factor=1');
}
