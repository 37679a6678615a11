/**
 * Two runs of a task overlaid on one time axis (seconds from each run's start): throughput, average
 * response time and users of a case present in both, with their outline figures side by side.
 */
import { Crumbs } from '../app/crumbs.js';
import { useState } from 'preact/hooks';
import { api, caseRunsOf } from '../api/endpoints.js';
import { useLoad } from '../app/use-load.js';
import { COLORS, fmt, reportRows, reportSeries, TimeChart, type ReportDocument, type ReportSeries } from '@perftest/report/web';
import { loadRunDocument } from './run.js';

/** Both runs' series on one x of relative seconds (null where a run has no point). */
function overlay(a: ReportSeries, b: ReportSeries, pick: (s: ReportSeries) => number[]) {
  const rel = (s: ReportSeries) => s.x.map((t) => t - (s.x[0] ?? 0));
  const ra = rel(a);
  const rb = rel(b);
  const x = [...new Set([...ra, ...rb])].sort((p, q) => p - q);
  const at = (r: number[], values: number[]) => {
    const m = new Map(r.map((t, i) => [t, values[i]]));
    return x.map((t) => m.get(t) ?? null);
  };
  return { x, a: at(ra, pick(a)), b: at(rb, pick(b)) };
}

/** The compare page. */
export function ComparePage(props: { suite: string; task: string; a: string; b: string }) {
  const taskId = Number(props.task);
  const runA = Number(props.a);
  const runB = Number(props.b);
  const data = useLoad(async () => {
    const task = await api.task(taskId);
    const [docA, docB] = await Promise.all([runA, runB].map(async (r) => loadRunDocument(task.name, r, await caseRunsOf(task, r))));
    return { task, docA, docB };
  }, [taskId, runA, runB]);
  const [caseName, setCaseName] = useState<string>();
  const base = `/suites/${props.suite}/tasks/${taskId}`;
  return (
    <div class="page" data-testid="compare-page">
      <Crumbs suite={Number(props.suite)} task={{ id: taskId, name: data.data?.task.name }} />
      <h1>Run {runA} vs run {runB}</h1>
      {data.error && <div class="error-box">{data.error}</div>}
      {!data.data && !data.error && <p class="muted">Loading both reports…</p>}
      {data.data && <Comparison docA={data.data.docA} docB={data.data.docB} runA={runA} runB={runB} caseName={caseName} onCase={setCaseName} />}
    </div>
  );
}

function Comparison(props: { docA: ReportDocument; docB: ReportDocument; runA: number; runB: number; caseName?: string; onCase(n: string): void }) {
  const common = props.docA.cases.map((c) => c.name).filter((n) => props.docB.cases.some((c) => c.name === n));
  const name = props.caseName && common.includes(props.caseName) ? props.caseName : common[0];
  const a = props.docA.cases.find((c) => c.name === name) ?? props.docA.cases[0];
  const b = props.docB.cases.find((c) => c.name === name) ?? props.docB.cases[0];
  if (!a || !b) return <div class="empty">One of the runs has no case run.</div>;
  const sa = reportSeries(a.report);
  const sb = reportSeries(b.report);
  const tps = overlay(sa, sb, (s) => s.tps);
  const rt = overlay(sa, sb, (s) => s.avgRt);
  const users = overlay(sa, sb, (s) => s.users);
  const la = `run ${props.runA}`;
  const lb = `run ${props.runB}`;
  const rows: Array<[string, (d: typeof a) => unknown, string?]> = [
    ['requests', (d) => reportRows(d.report).performance?.requests],
    ['TPS', (d) => d.report.outline.tps],
    ['RPS', (d) => d.report.outline.rps],
    ['success rate', (d) => d.report.outline.successRate, '%'],
    ['avg response', (d) => d.report.outline.avgResponseTime, ' ms'],
    ['p90', (d) => reportRows(d.report).performance?.tp90, ' ms'],
    ['p99', (d) => reportRows(d.report).performance?.tp99, ' ms'],
    ['max users', (d) => d.report.outline.maxUsers],
    ['duration', (d) => d.report.outline.duration, ' s'],
  ];
  return (
    <div>
      {common.length > 1 && (
        <div class="tabs">{common.map((n) => <button class={`tab ${n === name ? 'active' : ''}`} onClick={() => props.onCase(n)}>{n}</button>)}</div>
      )}
      <table class="table" style="margin-bottom: 14px; max-width: 620px" data-testid="compare-table">
        <thead><tr><th>{name}</th><th class="num" style={`color: ${COLORS.runA}`}>{la}</th><th class="num" style={`color: ${COLORS.runB}`}>{lb}</th></tr></thead>
        <tbody>{rows.map(([label, get, unit]) => <tr><td>{label}</td><td class="num">{fmt(get(a))}{unit ?? ''}</td><td class="num">{fmt(get(b))}{unit ?? ''}</td></tr>)}</tbody>
      </table>
      <div class="charts">
        <TimeChart title="TPS" relative x={tps.x} testId="compare-chart"
          series={[{ label: la, color: COLORS.runA, values: tps.a }, { label: lb, color: COLORS.runB, values: tps.b }]} />
        <TimeChart title="Average response time" relative unit="ms" x={rt.x}
          series={[{ label: la, color: COLORS.runA, values: rt.a }, { label: lb, color: COLORS.runB, values: rt.b }]} />
        <TimeChart title="Users" relative x={users.x}
          series={[{ label: la, color: COLORS.runA, values: users.a }, { label: lb, color: COLORS.runB, values: users.b }]} />
      </div>
    </div>
  );
}
