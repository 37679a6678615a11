/**
 * A finished (or running) case run's report: the outline's KPIs, what the run missed (why it ended
 * in error, interruptions, dropped starts, aborted requests: run-notes.ts), the curves (throughput,
 * response time, users, errors by class, bandwidth) with the knee or KPI miss marked, the
 * response-time histogram and the per-card table. The console's run page and the exported HTML file both use it.
 */
import { useMemo } from 'preact/hooks';
import type { ReportDocument, ReportResult } from '../src/report-types.js';
import { Histogram } from './charts/histogram.js';
import { TimeChart } from './charts/time-chart.js';
import { COLORS } from './charts/colors.js';
import { fmt, fmtBytes, reportMarkers, reportRows, reportSeries, rowErrors } from './model.js';
import { runNotes } from './run-notes.js';
import { useReportDrawn } from './timing.js';

/** One tile of the KPI row. */
export function Kpi(props: { label: string; value: string; hint?: string; tone?: 'good' | 'bad' | 'warn'; testId?: string }) {
  return (
    <div class={`kpi ${props.tone ?? ''}`} data-testid={props.testId}>
      <div class="kpi-label">{props.label}</div>
      <div class="kpi-value">{props.value}</div>
      {props.hint && <div class="kpi-hint">{props.hint}</div>}
    </div>
  );
}

function verdict(report: ReportResult): { text: string; tone?: 'good' | 'bad' | 'warn' } | undefined {
  const o = report.outline;
  if (o.kpiCaseCount > 0) {
    if (o.kpiMissed) return { text: `KPI missed: ${o.kpiMissed}`, tone: 'bad' };
    return o.kpiCaseExecuteCount > 0 ? { text: 'KPIs met', tone: 'good' } : { text: 'KPIs not judged yet', tone: 'warn' };
  }
  if (o.peakMetric && o.stageName) return { text: o.stageName, tone: 'warn' };
  return undefined;
}

/** The report of one case run. */
export function ReportView(props: { report: ReportResult }) {
  const { report } = props;
  const s = useMemo(() => reportSeries(report), [report]);
  const markers = useMemo(() => reportMarkers(report), [report]);
  const { performance: perf, cards } = reportRows(report);
  const o = report.outline;
  const v = verdict(report);
  const notes = useMemo(() => runNotes(o), [o]);
  return (
    <div class="report" data-testid="report">
      <div class="kpis">
        <Kpi label="Requests" value={fmt(perf?.requests ?? 0)} testId="kpi-requests" />
        <Kpi label="TPS" value={fmt(o.tps)} hint="successes/s" />
        <Kpi label="RPS" value={fmt(o.rps)} />
        <Kpi label="Success rate" value={`${fmt(o.successRate)}%`} tone={o.successRate >= 99 ? 'good' : o.successRate >= 90 ? 'warn' : 'bad'} />
        <Kpi label="Avg response" value={`${fmt(o.avgResponseTime, 1)} ms`} />
        <Kpi label="p90" value={`${fmt(perf?.tp90, 1)} ms`} />
        <Kpi label="p99" value={`${fmt(perf?.tp99, 1)} ms`} hint={`max ${fmt(perf?.max, 1)} ms`} />
        <Kpi label="Max users" value={fmt(o.maxUsers)} />
        <Kpi label="Duration" value={`${fmt(o.duration)} s`} hint={`VUM ${fmt(report.taskInfo.vum)}`} />
      </div>
      {notes.map((n) => (
        <div class={`verdict ${n.tone}`} data-testid={`note-${n.kind}`}>
          {n.text}
        </div>
      ))}
      {v && (
        <div class={`verdict ${v.tone ?? ''}`} data-testid="verdict">
          {v.text}
        </div>
      )}
      <div class="charts">
        <TimeChart title="Throughput (per second)" x={s.x} testId="chart-throughput" markers={markers}
          series={[{ label: 'TPS', color: COLORS.tps, values: s.tps, fill: true }, { label: 'RPS', color: COLORS.rps, values: s.rps, dash: [4, 3] }]} />
        <TimeChart title="Average response time" x={s.x} unit="ms" markers={markers}
          series={[{ label: 'avg', color: COLORS.avg, values: s.avgRt }]} />
        <TimeChart title="Users" x={s.x} markers={markers} series={[{ label: 'users', color: COLORS.users, values: s.users, fill: true }]} />
        <TimeChart title="Errors by class (per second)" x={s.x}
          series={[
            { label: 'check point', color: COLORS.checkPointFailed, values: s.errors.checkPointFailed },
            { label: 'parse', color: COLORS.parsedFailed, values: s.errors.parsedFailed },
            { label: 'refused', color: COLORS.refusedFailed, values: s.errors.refusedFailed },
            { label: 'timeout', color: COLORS.timeout, values: s.errors.timeout },
            { label: 'other', color: COLORS.othersFailed, values: s.errors.othersFailed },
          ]} />
        <TimeChart title="Bandwidth" x={s.x} unit="B/s" wide height={180}
          series={[{ label: 'sent', color: COLORS.sent, values: s.sentPerSec }, { label: 'received', color: COLORS.received, values: s.recPerSec }]} />
        <Histogram range={report.respTimeRange} testId="histogram" />
      </div>
      <h3>Requests by card</h3>
      <CardTable report={report} />
      {perf && (
        <p class="muted small">
          Response codes: 1xx {fmt(perf.sum1xx)} · 2xx {fmt(perf.sum2xx)} · 3xx {fmt(perf.sum3xx)} · 4xx {fmt(perf.sum4xx)} · 5xx {fmt(perf.sum5xx)} ·
          sent {fmtBytes(Number(perf.avgSentBytes ?? 0))}/request · received {fmtBytes(Number(perf.avgRecBytes ?? 0))}/request
        </p>
      )}
      {cards.length === 0 && <p class="muted">No request card in this case.</p>}
    </div>
  );
}

/** The per-card table of a report. */
export function CardTable(props: { report: ReportResult }) {
  const { performance: perf, cards } = reportRows(props.report);
  return (
    <table class="table" data-testid="card-table">
      <thead>
        <tr>
          <th>card</th><th>request</th><th class="num">count</th><th class="num">TPS</th><th class="num">avg ms</th><th class="num">p90 ms</th>
          <th class="num">p99 ms</th><th class="num">max ms</th><th class="num">errors</th><th class="num">success</th>
        </tr>
      </thead>
      <tbody>
        {cards.map((c) => (
          <tr>
            <td>{c.name}</td>
            <td class="mono ellipsis" title={`${c.method ?? ''} ${c.url ?? ''}`}>{c.method} {c.url}</td>
            <td class="num" data-testid="card-count">{fmt(c.requests)}</td>
            <td class="num">{fmt(c.tps)}</td>
            <td class="num">{fmt(c.averageRespTime)}</td>
            <td class="num">{fmt(c.tp90)}</td>
            <td class="num">{fmt(c.tp99)}</td>
            <td class="num">{fmt(c.max)}</td>
            <td class={`num ${rowErrors(c) > 0 ? 'bad' : ''}`}>{fmt(rowErrors(c))}</td>
            <td class="num">{fmt(c.successRate)}%</td>
          </tr>
        ))}
        {perf && (
          <tr class="total">
            <td>all cards</td><td />
            <td class="num" data-testid="total-count">{fmt(perf.requests)}</td>
            <td class="num">{fmt(perf.tps)}</td>
            <td class="num">{fmt(perf.averageRespTime)}</td>
            <td class="num">{fmt(perf.tp90)}</td>
            <td class="num">{fmt(perf.tp99)}</td>
            <td class="num">{fmt(perf.max)}</td>
            <td class="num">{fmt(rowErrors(perf))}</td>
            <td class="num">{fmt(perf.successRate)}%</td>
          </tr>
        )}
      </tbody>
    </table>
  );
}

/** A whole report document: its title and one tab per case run. */
export function ReportDocumentView(props: { doc: ReportDocument; selected: number; onSelect(i: number): void }) {
  const { doc } = props;
  const current = doc.cases[props.selected] ?? doc.cases[0];
  useReportDrawn(current);
  return (
    <div>
      {doc.cases.length > 1 && (
        <div class="tabs">
          {doc.cases.map((c, i) => (
            <button class={`tab ${i === props.selected ? 'active' : ''}`} onClick={() => props.onSelect(i)}>{c.name}</button>
          ))}
        </div>
      )}
      {current ? <ReportView report={current.report} /> : <p class="muted">This run has no case run.</p>}
    </div>
  );
}
