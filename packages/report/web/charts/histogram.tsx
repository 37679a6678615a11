/**
 * The response-time distribution (`respTimeRange`) as a bar chart drawn by uPlot's bars path: one
 * bar per bucket, its request count, the bucket's label and percentage on the axis.
 */
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';

/** A `respTimeRange` bucket parsed: label, percent, count. */
export interface Bucket {
  label: string;
  percent: number;
  count: number;
}

/** Parses `{"0~50ms": "31.4%(314)", ...}` in its key order. */
export function parseBuckets(range: Record<string, string>): Bucket[] {
  return Object.entries(range).map(([label, text]) => {
    const m = /^([\d.]+)%\((\d+)\)$/.exec(String(text));
    return { label, percent: m ? Number(m[1]) : 0, count: m ? Number(m[2]) : 0 };
  });
}

/** The histogram. */
export function Histogram(props: { range: Record<string, string>; height?: number; testId?: string }) {
  const box = useRef<HTMLDivElement>(null);
  const buckets = parseBuckets(props.range);
  const key = JSON.stringify(buckets);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const xs = buckets.map((_, i) => i);
    const bars = uPlot.paths.bars!({ size: [0.7, 80] });
    const u = new uPlot(
      {
        width: Math.max(200, el.clientWidth),
        height: props.height ?? 200,
        legend: { show: false },
        cursor: { show: false },
        scales: { x: { time: false, range: [-0.5, buckets.length - 0.5] }, y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.15 : 1] } },
        axes: [
          { stroke: '#5b6475', grid: { show: false }, splits: () => xs, values: () => buckets.map((b) => `${b.label}\n${b.percent}%`), size: 48 },
          { stroke: '#5b6475', grid: { stroke: '#eef0f4' }, size: 56 },
        ],
        series: [{}, { label: 'requests', stroke: '#4f6bed', fill: '#4f6bedcc', paths: bars, points: { show: false } }],
      },
      [xs, buckets.map((b) => b.count)],
      el,
    );
    const ro = new ResizeObserver(() => u.setSize({ width: Math.max(200, el.clientWidth), height: u.height }));
    ro.observe(el);
    return () => {
      ro.disconnect();
      u.destroy();
    };
  }, [key]);
  return (
    <div class="chart wide" data-testid={props.testId}>
      <div class="chart-title">Response time distribution (requests per range)</div>
      <div ref={box} class="chart-canvas" />
    </div>
  );
}
