/**
 * The one place that decides how response-time histograms are built, encoded and decoded, so that
 * every recorder, merger and report agrees on range and resolution.
 *
 * Range: 1 us .. 3,600,000,000 us (one hour), 3 significant digits. Values outside are clamped.
 *
 * Implementation (measured on this machine, Node 20, 10 M recordValue calls with values spread
 * log-uniformly over 200 us .. 4 s, best of 5 runs, one process per variant):
 *   WASM Int32  ~15 ns/record, ~95 KB per histogram (wasm linear memory)
 *   JS Int32    ~80 ns/record, ~95 KB per histogram (Int32Array)
 *   JS Float64  ~81 ns/record, ~190 KB
 *   WASM packed ~190 ns/record, <1 KB when sparse
 *   JS packed   ~470 ns/record, <1 KB when sparse
 * None allocates per record. Recording (the hot path, one or two records per request) therefore uses
 * WASM Int32; such histograms live outside the JS heap and must be released with `destroy()` (cells
 * do it in `close()`, with a finalizer as a safety net). Decoding and merging (report side, no hot
 * loop) use plain JS histograms that the garbage collector reclaims: Int32 for decoded intervals and
 * Float64 counts for accumulators, whose totals may exceed 2^31 over a long run.
 * Encoded form: HDR V2 compressed base64, identical bytes for the WASM and JS implementations.
 */
import {
  build,
  decodeFromCompressedBase64,
  encodeIntoCompressedBase64,
  initWebAssemblySync,
  type Histogram,
} from 'hdr-histogram-js';

/** The hdr-histogram-js histogram interface. */
export type { Histogram };

/** Lowest recordable response time in microseconds. */
export const HISTOGRAM_LOWEST_US = 1;
/** Highest recordable response time in microseconds (one hour). */
export const HISTOGRAM_HIGHEST_US = 3_600_000_000;
/** Significant decimal digits kept by every histogram. */
export const HISTOGRAM_DIGITS = 3;

let wasmState: 'unknown' | 'ready' | 'unavailable' = 'unknown';

/** Loads the WASM histogram module once per thread; false when WebAssembly cannot be used here. */
function wasmReady(): boolean {
  if (wasmState === 'unknown') {
    try {
      initWebAssemblySync();
      wasmState = 'ready';
    } catch {
      wasmState = 'unavailable';
    }
  }
  return wasmState === 'ready';
}

/** Whether recording histograms are WASM-backed in this thread (they then need `destroy()`). */
export function recordingUsesWasm(): boolean {
  return wasmReady();
}

/** A histogram for the hot recording path (WASM Int32 when available). Release with `destroy()`. */
export function createRecordingHistogram(): Histogram {
  return build({
    bitBucketSize: 32,
    autoResize: false,
    lowestDiscernibleValue: HISTOGRAM_LOWEST_US,
    highestTrackableValue: HISTOGRAM_HIGHEST_US,
    numberOfSignificantValueDigits: HISTOGRAM_DIGITS,
    useWebAssembly: wasmReady(),
  });
}

/** An empty JS histogram with 64-bit float counts, the accumulator of merges. */
export function createMergeHistogram(): Histogram {
  return build({
    bitBucketSize: 64,
    autoResize: false,
    lowestDiscernibleValue: HISTOGRAM_LOWEST_US,
    highestTrackableValue: HISTOGRAM_HIGHEST_US,
    numberOfSignificantValueDigits: HISTOGRAM_DIGITS,
    useWebAssembly: false,
  });
}

/** Clamps a response time into the recordable range and rounds it to whole microseconds. */
export function clampUs(us: number): number {
  if (!(us >= HISTOGRAM_LOWEST_US)) return HISTOGRAM_LOWEST_US; // also catches NaN
  if (us >= HISTOGRAM_HIGHEST_US) return HISTOGRAM_HIGHEST_US;
  return Math.round(us);
}

/** HDR compressed base64 of a histogram (the form that crosses threads and processes). */
export function encodeHistogram(histogram: Histogram): string {
  return encodeIntoCompressedBase64(histogram);
}

/**
 * Decodes an encoded histogram into a JS histogram with the standard range (the range is widened to
 * the standard one so that it can be added to accumulators). An empty string decodes as empty.
 */
export function decodeHistogram(encoded: string): Histogram {
  if (encoded === '') return createMergeHistogram();
  return decodeFromCompressedBase64(encoded, 32, false, HISTOGRAM_HIGHEST_US);
}
