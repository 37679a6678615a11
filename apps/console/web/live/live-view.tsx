/**
 * The live view of a running task run: every second, per case run, TPS and RPS, response time
 * p50/p90/p99/max, users, errors by class and response codes, bandwidth, dropped starts (TPS modes),
 * and the per-card table, read from the live event stream (GET /v1/{p}/task-run-infos/{id}/live).
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api/endpoints.js';
import { COLORS, fmt, fmtBytes, Kpi, TimeChart } from '@perftest/report/web';
import { StatusBadge } from '../app/run-status.js';
import { RunLive, type CaseRunLive, type LiveInterval } from './live-model.js';
import { openEventStream } from './sse.js';

/** Case run names by id, for the tabs. */
export type CaseRunNames = Map<number, string>;

/** Opens the stream of `taskRun`; re-renders at most once per animation frame; calls onEnd once. */
function useLive(taskRun: number, onEnd: () => void): { live: RunLive; state: string; tick: number } {
  const live = useRef(new RunLive());
  const [tick, setTick] = useState(0);
  const [state, setState] = useState('connecting');
  const endRef = useRef(onEnd);
  endRef.current = onEnd;
  useEffect(() => {
    live.current = new RunLive();
    let frame = 0;
    const redraw = () => {
      if (frame) return;
      frame = requestAnimationFrame(() => {
        frame = 0;
        setTick((n) => n + 1);
      });
    };
    const conn = openEventStream(api.livePath(taskRun), {
      onEvent: (e) => {
        try {
          if (e.event === 'interval') live.current.interval(JSON.parse(e.data) as LiveInterval);
          else if (e.event === 'status') live.current.status(JSON.parse(e.data));
          else if (e.event === 'end') {
            live.current.ended = true;
            endRef.current();
          }
        } catch {
          return;
        }
        (window as any).__liveLagMs = live.current.lagMs;
        redraw();
      },
      onState: (s, detail) => setState(detail ? `${s}: ${detail}` : s),
    });
    return () => {
      conn.close();
      if (frame) cancelAnimationFrame(frame);
    };
  }, [taskRun]);
  return { live: live.current, state, tick };
}

/** The live view. */
export function LiveView(props: { taskRun: number; names: CaseRunNames; onEnd(): void }) {
  const { live, state, tick } = useLive(props.taskRun, props.onEnd);
  const [selected, setSelected] = useState<number>();
  const ids = [...live.runs.keys()];
  const current = live.runs.get(selected ?? ids[0] ?? -1);
  return (
    <div data-testid="live" data-tick={tick}>
      <div class="row live-status" style="margin-bottom: 10px">
        <span data-testid="live-state">stream {state}</span>
        <span>· {live.lagMs > 0 ? `${(live.lagMs / 1000).toFixed(1)} s behind` : 'waiting for the first second'}</span>
      </div>
      {ids.length > 1 && (
        <div class="tabs">
          {ids.map((id) => (
            <button class={`tab ${id === (current?.caseRunId ?? -1) ? 'active' : ''}`} onClick={() => setSelected(id)}>
              {live.runs.get(id)!.name ?? props.names.get(id) ?? `case run ${id}`} <StatusBadge status={live.runs.get(id)!.status ?? 0} />
            </button>
          ))}
        </div>
      )}
      {!current && <div class="empty">Waiting for the first second of data…</div>}
      {current && <CaseRunCharts run={current} tick={tick} />}
    </div>
  );
}

function last(list: number[]): number {
  return list.length > 0 ? list[list.length - 1] : 0;
}

function CaseRunCharts(props: { run: CaseRunLive; tick: number }) {
  const r = props.run;
  const c = r.cols;
  const errorsNow = last(c.checkPointFailed) + last(c.parsedFailed) + last(c.refusedFailed) + last(c.timeout) + last(c.othersFailed);
  const dropped = r.droppedTotal;
  return (
    <div data-testid="live-case" data-points={r.x.length}>
      {r.reason && <div class="note-box">{r.reason}</div>}
      <div class="kpis">
        <Kpi label="TPS" value={fmt(last(c.tps))} hint={`RPS ${fmt(last(c.rps))}`} />
        <Kpi label="Users" value={fmt(last(c.users))} />
        <Kpi label="p90" value={`${fmt(last(c.p90), 1)} ms`} hint={`avg ${fmt(last(c.avg), 1)} ms`} />
        <Kpi label="p99" value={`${fmt(last(c.p99), 1)} ms`} hint={`max ${fmt(last(c.max), 1)} ms`} />
        <Kpi label="Errors / s" value={fmt(errorsNow)} tone={errorsNow > 0 ? 'bad' : undefined} />
        <Kpi label="Requests" value={fmt(r.total)} testId="live-total" />
        <Kpi label="Dropped starts" value={fmt(dropped)} hint="TPS modes: starts with no free user" tone={dropped > 0 ? 'warn' : undefined} />
        <Kpi label="Sent / received" value={`${fmtBytes(last(c.sent))}/s`} hint={`received ${fmtBytes(last(c.rec))}/s`} />
      </div>
      <div class="charts">
        <TimeChart title="Throughput" x={r.x} testId="live-chart-throughput"
          series={[{ label: 'TPS', color: COLORS.tps, values: c.tps, fill: true }, { label: 'RPS', color: COLORS.rps, values: c.rps, dash: [4, 3] }]} />
        <TimeChart title="Response time" x={r.x} unit="ms"
          series={[
            { label: 'p50', color: COLORS.p50, values: c.p50 },
            { label: 'p90', color: COLORS.p90, values: c.p90 },
            { label: 'p99', color: COLORS.p99, values: c.p99 },
            { label: 'max', color: COLORS.max, values: c.max, dash: [2, 3] },
          ]} />
        <TimeChart title="Users and dropped starts" x={r.x}
          series={[{ label: 'users', color: COLORS.users, values: c.users, fill: true }, { label: 'dropped', color: COLORS.dropped, values: c.dropped, scale: 'y2' }]} />
        <TimeChart title="Errors by class" x={r.x}
          series={[
            { label: 'check point', color: COLORS.checkPointFailed, values: c.checkPointFailed },
            { label: 'parse', color: COLORS.parsedFailed, values: c.parsedFailed },
            { label: 'refused', color: COLORS.refusedFailed, values: c.refusedFailed },
            { label: 'timeout', color: COLORS.timeout, values: c.timeout },
            { label: 'other', color: COLORS.othersFailed, values: c.othersFailed },
          ]} />
        <TimeChart title="Response codes" x={r.x}
          series={[
            { label: '1xx', color: COLORS.c1xx, values: c['1xx'] },
            { label: '2xx', color: COLORS.c2xx, values: c['2xx'] },
            { label: '3xx', color: COLORS.c3xx, values: c['3xx'] },
            { label: '4xx', color: COLORS.c4xx, values: c['4xx'] },
            { label: '5xx', color: COLORS.c5xx, values: c['5xx'] },
          ]} />
        <TimeChart title="Bandwidth" x={r.x} unit="B/s"
          series={[{ label: 'sent', color: COLORS.sent, values: c.sent }, { label: 'received', color: COLORS.received, values: c.rec }]} />
      </div>
      <h3>Requests by card (since the case run began)</h3>
      <table class="table" data-testid="live-cards">
        <thead><tr><th>card</th><th class="num">count</th><th class="num">TPS</th><th class="num">avg ms</th><th class="num">p90 ms</th><th class="num">p99 ms</th><th class="num">errors</th></tr></thead>
        <tbody>
          {r.cards.map((card) => (
            <tr>
              <td>{card.name}</td>
              <td class="num" data-testid="live-card-count">{card.count}</td>
              <td class="num">{fmt(card.tps)}</td>
              <td class="num">{fmt(card.avg)}</td>
              <td class="num">{fmt(card.p90)}</td>
              <td class="num">{fmt(card.p99)}</td>
              <td class={`num ${card.errors > 0 ? 'bad' : ''}`}>{fmt(card.errors)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
