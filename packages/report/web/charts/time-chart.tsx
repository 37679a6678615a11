/**
 * A uPlot time-series chart as a Preact component: one x axis of epoch seconds, series on one or two
 * y scales, optional vertical markers (the knee, the KPI miss). New data is handed to the existing
 * plot (setData), so a live chart redraws without being rebuilt; it follows its container's width.
 */
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

/** One line of a chart. */
export interface ChartSeries {
  label: string;
  color: string;
  values: ArrayLike<number | null>;
  /** 'y' (left axis, default) or 'y2' (right axis). */
  scale?: 'y' | 'y2';
  dash?: number[];
  fill?: boolean;
  /** Draw as steps: each value holds until the next point (a load plan). */
  stepped?: boolean;
}

/** A vertical line at `t` (epoch seconds) with a label. */
export interface ChartMarker {
  t: number;
  label: string;
  color: string;
}

/** Props of TimeChart. */
export interface TimeChartProps {
  title: string;
  x: ArrayLike<number>;
  series: ChartSeries[];
  /** Units of the left and right axes, shown beside their values ('B/s' scales to KB/s, MB/s...). */
  unit?: string;
  unit2?: string;
  markers?: ChartMarker[];
  height?: number;
  /** Label the x axis with seconds from the start instead of clock time (for overlays). */
  relative?: boolean;
  /** Span the whole row of a chart grid. */
  wide?: boolean;
  testId?: string;
}

/** Whole-second tick steps of the time axis (uPlot's defaults go below a second). */
const SECOND_INCRS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400];

const two = (n: number) => String(n).padStart(2, '0');
/** An epoch second as the page's local HH:MM:SS. */
const clock = (t: number): string => {
  const d = new Date(t * 1000);
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
};

/** A value with its unit, bytes scaled to KB/MB/GB. */
function withUnit(v: number, unit: string | undefined): string {
  if (unit === 'B/s') {
    const a = Math.abs(v);
    if (a >= 1 << 30) return `${+(v / (1 << 30)).toFixed(1)} GB/s`;
    if (a >= 1 << 20) return `${+(v / (1 << 20)).toFixed(1)} MB/s`;
    if (a >= 1 << 10) return `${+(v / (1 << 10)).toFixed(1)} KB/s`;
    return `${Math.round(v)} B/s`;
  }
  return `${compact(v)}${unit ?? ''}`;
}

const compact = (v: number): string => {
  const a = Math.abs(v);
  if (a >= 1e9) return `${+(v / 1e9).toFixed(1)}G`;
  if (a >= 1e6) return `${+(v / 1e6).toFixed(1)}M`;
  if (a >= 1e4) return `${+(v / 1e3).toFixed(1)}k`;
  return `${+v.toFixed(2)}`;
};

const steps = uPlot.paths.stepped!({ align: 1 });

function markerPlugin(markers: () => ChartMarker[] | undefined): uPlot.Plugin {
  return {
    hooks: {
      draw: (u) => {
        const list = markers();
        if (!list || list.length === 0) return;
        const { ctx } = u;
        const { top, height } = u.bbox;
        ctx.save();
        for (const m of list) {
          const x = Math.round(u.valToPos(m.t, 'x', true));
          if (x < u.bbox.left || x > u.bbox.left + u.bbox.width) continue;
          ctx.strokeStyle = m.color;
          ctx.lineWidth = 2 * devicePixelRatio;
          ctx.setLineDash([6 * devicePixelRatio, 4 * devicePixelRatio]);
          ctx.beginPath();
          ctx.moveTo(x, top);
          ctx.lineTo(x, top + height);
          ctx.stroke();
          ctx.setLineDash([]);
          ctx.fillStyle = m.color;
          ctx.font = `${11 * devicePixelRatio}px system-ui, sans-serif`;
          ctx.fillText(m.label, x + 4 * devicePixelRatio, top + 12 * devicePixelRatio);
        }
        ctx.restore();
      },
    },
  };
}

function options(props: TimeChartProps, width: number, markers: () => ChartMarker[] | undefined): uPlot.Options {
  const hasY2 = props.series.some((s) => s.scale === 'y2');
  const axisStyle = { stroke: '#5b6475', grid: { stroke: '#eef0f4', width: 1 }, ticks: { stroke: '#e3e6ec', width: 1 } };
  const relative = props.relative === true;
  const x0 = () => (props.x.length > 0 ? props.x[0] : 0);
  return {
    width,
    height: props.height ?? 220,
    legend: { live: true },
    cursor: { drag: { x: true, y: false } },
    scales: { x: { time: !relative }, y: { auto: true, range: (_u, min, max) => [Math.min(0, min), max > 0 ? max * 1.08 : 1] }, ...(hasY2 ? { y2: { auto: true, range: (_u, min, max) => [Math.min(0, min), max > 0 ? max * 1.08 : 1] } } : {}) },
    axes: [
      relative
        ? { ...axisStyle, space: 50, values: (_u, vals) => vals.map((v) => `${Math.round(v - x0())}s`) }
        : { ...axisStyle, space: 70, incrs: SECOND_INCRS, values: (_u, vals) => vals.map(clock) },
      { ...axisStyle, size: props.unit === 'B/s' ? 76 : 60, values: (_u, vals) => vals.map((v) => withUnit(v, props.unit)) },
      ...(hasY2 ? [{ ...axisStyle, scale: 'y2', side: 1 as const, size: 60, grid: { show: false }, values: (_u: uPlot, vals: number[]) => vals.map((v) => withUnit(v, props.unit2)) }] : []),
    ],
    series: [
      { label: relative ? 'second' : 'time', value: (_u: uPlot, v: number | null) => (v === null ? '–' : relative ? `${Math.round(v - x0())}s` : clock(v)) },
      ...props.series.map((s) => ({
        label: s.label,
        stroke: s.color,
        width: 2,
        scale: s.scale ?? 'y',
        dash: s.dash,
        fill: s.fill ? `${s.color}22` : undefined,
        points: { show: false },
        spanGaps: false,
        ...(s.stepped ? { paths: steps } : {}),
        value: (_u: uPlot, v: number | null) => (v === null || v === undefined ? '–' : withUnit(v, s.scale === 'y2' ? props.unit2 : props.unit)),
      })),
    ],
    plugins: [markerPlugin(markers)],
  };
}

/** Data in uPlot's column form. */
function columns(props: TimeChartProps): uPlot.AlignedData {
  return [Array.from(props.x), ...props.series.map((s) => Array.from(s.values))] as uPlot.AlignedData;
}

/** A time-series chart. */
export function TimeChart(props: TimeChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const markersRef = useRef(props.markers);
  markersRef.current = props.markers;
  const shape = `${props.series.map((s) => `${s.label}/${s.scale ?? 'y'}/${s.color}`).join('|')}|${props.relative}|${props.unit}|${props.unit2}`;

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const u = new uPlot(options(props, Math.max(200, el.clientWidth), () => markersRef.current), columns(props), el);
    plot.current = u;
    const ro = new ResizeObserver(() => {
      const w = Math.max(200, el.clientWidth);
      if (Math.abs(w - u.width) > 1) u.setSize({ width: w, height: u.height });
    });
    ro.observe(el);
    return () => {
      ro.disconnect();
      u.destroy();
      plot.current = null;
    };
  }, [shape]);

  useEffect(() => {
    plot.current?.setData(columns(props));
  }, [props.x, props.series]);

  return (
    <div class={`chart ${props.wide ? 'wide' : ''}`} data-testid={props.testId}>
      <div class="chart-title">{props.title}</div>
      <div ref={box} class="chart-canvas" />
    </div>
  );
}
