/**
 * Timings the benchmark reads in the page (bench/console.ts): when a report's data was in hand and
 * when its charts had drawn, on `window.__reportTimings`; the live view's delays on `__liveLags`.
 */
import { useEffect } from 'preact/hooks';

interface Timings {
  dataAt?: number;
  drawnAt?: number;
}

const timings = (): Timings => ((window as any).__reportTimings ??= {});

/** Notes that the report data has arrived (the clock starts). */
export function markReportData(): void {
  const t = timings();
  t.dataAt = performance.now();
  t.drawnAt = undefined;
}

/** Notes, once the charts of a freshly mounted report have painted, when that was. */
export function useReportDrawn(key: unknown): void {
  useEffect(() => {
    requestAnimationFrame(() => {
      timings().drawnAt = performance.now();
    });
  }, [key]);
}
