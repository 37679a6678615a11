/**
 * A task run: the live view while it runs, then its report (one tab per case run) with downloads
 * as JSON, CSV and one self-contained HTML file.
 */
import { Crumbs } from '../app/crumbs.js';
import { useEffect, useState } from 'preact/hooks';
import { api, caseRunsOf, type CaseRunRef } from '../api/endpoints.js';
import { isActive, StatusBadge } from '../app/run-status.js';
import { errorText, useLoad } from '../app/use-load.js';
import { LiveView } from '../live/live-view.js';
import { cardsCsv, markReportData, ReportDocumentView, seriesCsv, type ReportDocument } from '@perftest/report/web';
import { download, reportHtml, slug } from './export.js';

/** The reports of a task run's case runs, as one document. */
export async function loadRunDocument(taskName: string, taskRun: number, caseRuns: CaseRunRef[]): Promise<ReportDocument> {
  const reports = await Promise.all(caseRuns.map((c) => api.report(taskRun, c.caseRunId)));
  markReportData();
  const first = reports[0]?.outline;
  return {
    title: `${taskName}, run ${taskRun}`,
    subtitle: first?.startTime ? `started ${new Date(first.startTime).toLocaleString()} · ${first.duration} s` : undefined,
    generatedAt: new Date().toISOString(),
    cases: caseRuns.map((c, i) => ({ name: c.name, caseRunId: c.caseRunId, report: reports[i] })),
  };
}

/** The run page. */
export function RunPage(props: { suite: string; task: string; run: string }) {
  const suiteId = Number(props.suite);
  const taskId = Number(props.task);
  const runId = Number(props.run);
  const [ended, setEnded] = useState(0);
  const task = useLoad(() => api.task(taskId), [taskId, ended]);
  const t = task.data;
  const latest = t && t.related_temp_running_data.length > 0 && t.related_temp_running_data[0].task_run_info_id === runId;
  const live = Boolean(t && latest && isActive(t.run_status));
  const names = new Map((t?.related_temp_running_data ?? []).map((r) => [r.related_temp_running_id, r.temp_name]));
  const base = `/suites/${suiteId}/tasks/${taskId}`;
  const stop = async () => {
    try {
      await api.stopTask(suiteId, taskId);
      task.reload();
    } catch {
      task.reload();
    }
  };
  return (
    <div class="page" data-testid="run-page">
      <Crumbs suite={suiteId} task={{ id: taskId, name: t?.name }} />
      <div class="page-head">
        <div class="grow">
          <h1>Run {runId}</h1>
          {t && latest && <StatusBadge status={t.run_status} testId="run-status" />}
        </div>
        {live && <button class="stop" onClick={stop} data-testid="stop">Stop</button>}
      </div>
      {task.error && <div class="error-box">{task.error}</div>}
      {t && live && <LiveView taskRun={runId} names={names} onEnd={() => setEnded((n) => n + 1)} />}
      {t && !live && <RunReport taskName={t.name} taskRun={runId} task={t} />}
    </div>
  );
}

function RunReport(props: { taskName: string; taskRun: number; task: Parameters<typeof caseRunsOf>[0] }) {
  const doc = useLoad(async () => loadRunDocument(props.taskName, props.taskRun, await caseRunsOf(props.task, props.taskRun)), [props.taskRun]);
  const [selected, setSelected] = useState(0);
  const [error, setError] = useState<string>();
  useEffect(() => setSelected(0), [props.taskRun]);
  if (doc.error) return <div class="error-box">{doc.error}</div>;
  if (!doc.data) return <p class="muted">Loading the report…</p>;
  const d = doc.data;
  const current = d.cases[selected] ?? d.cases[0];
  const name = slug(`${props.taskName}-run-${props.taskRun}`);
  return (
    <div data-testid="run-report">
      <div class="row" style="margin-bottom: 12px">
        <span class="muted small">{d.subtitle}</span>
        <span style="flex: 1" />
        <button onClick={() => download(`${name}.json`, JSON.stringify(d, null, 2), 'application/json')} data-testid="download-json">JSON</button>
        {current && <button onClick={() => download(`${name}-${slug(current.name)}-cards.csv`, cardsCsv(current.name, current.report), 'text/csv')} data-testid="download-csv">CSV (cards)</button>}
        {current && <button onClick={() => download(`${name}-${slug(current.name)}-seconds.csv`, seriesCsv(current.report), 'text/csv')} data-testid="download-series-csv">CSV (per second)</button>}
        <button class="primary" data-testid="export-html" onClick={async () => {
          try {
            download(`${name}.html`, await reportHtml(d), 'text/html');
          } catch (err) {
            setError(errorText(err));
          }
        }}>Export HTML</button>
      </div>
      {error && <div class="error-box">{error}</div>}
      <ReportDocumentView doc={d} selected={selected} onSelect={setSelected} />
    </div>
  );
}
