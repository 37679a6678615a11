/**
 * A task: rename or delete it, its cases (add, open, delete), start and stop it, and its history of
 * runs, two of which can be compared.
 */
import { Crumbs } from '../app/crumbs.js';
import { useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { api, type CaseDetail } from '../api/endpoints.js';
import { EditableTitle, NameForm } from '../app/inline-edit.js';
import { isActive, StatusBadge } from '../app/run-status.js';
import { treeChanged, useTreeVersion } from '../app/tree.js';
import { errorText, useLoad } from '../app/use-load.js';
import { problemsOf } from './problems.js';

/** A new case: one HTTP request to this server's health check, one user for 30 s. */
export function starterCase(name: string): Record<string, unknown> {
  return {
    name,
    contents: [{ content_id: 0, index: 0, data_type: 0, is_disabled: false, content: [
      { content_type: 2, content: { protocol_type: 1, name: 'home', method: 'GET', url: `${location.origin}/health`, headers: [], body_type: 0, bodys: [], connect_timeout: 5000, return_timeout: 5000, http_version: 'HTTP/1.1' } },
      { content_type: 1, content: { think_time: 500 } },
    ] }],
    stages: [{ name: 'stage 1', operate_mode: 0, pressure_mode: 0, time: 30, issue_num: 1, voltage_regulating_mode: 0 }],
  };
}

const stageSummary = (c: CaseDetail): string =>
  (c.stages ?? []).map((s) => `${['concurrency', 'TPS', 'peak load', 'surge', 'surge TPS', 'flapping', 'flapping TPS', 'intelligent'][s.pressure_mode ?? 0] ?? '?'} ${s.time ?? 0}s`).join(' → ') || 'no stage';

/** The task page. */
export function TaskPage(props: { suite: string; task: string }) {
  const suiteId = Number(props.suite);
  const taskId = Number(props.task);
  const { route } = useLocation();
  const version = useTreeVersion();
  const task = useLoad(() => api.task(taskId), [taskId, version]);
  const history = useLoad(() => api.history(taskId), [taskId, version]);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [picked, setPicked] = useState<number[]>([]);
  const base = `/suites/${suiteId}/tasks/${taskId}`;
  const t = task.data;
  const running = t ? isActive(t.run_status) : false;

  const start = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const run = await api.startTask(suiteId, taskId);
      treeChanged();
      route(`${base}/runs/${run}`);
    } catch (err) {
      setError(errorText(err));
      task.reload();
      history.reload();
    } finally {
      setBusy(false);
    }
  };
  const stop = async () => {
    setBusy(true);
    try {
      await api.stopTask(suiteId, taskId);
      task.reload();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  const problems = error ? problemsOf(error) : [];

  return (
    <div class="page" data-testid="task-page">
      <Crumbs suite={suiteId} />
      {t && (
        <div class="page-head">
          <div class="grow">
            <EditableTitle name={t.name} what="task"
              onRename={async (name) => { await api.renameTask(suiteId, taskId, name); treeChanged(); }}
              onDelete={async () => { await api.deleteTask(taskId); treeChanged(); route(`/suites/${suiteId}`); }} />
            <div class="row muted small">
              <StatusBadge status={t.run_status} testId="task-status" />
              {t.parallel ? 'cases run in parallel' : 'cases run one after another'}
              {t.related_temp_running_data[0] && <a href={`${base}/runs/${t.related_temp_running_data[0].task_run_info_id}`}>latest run</a>}
            </div>
          </div>
          <button class="primary" onClick={start} disabled={busy || running || t.case_list.length === 0} data-testid="start">Start</button>
          <button class="stop" onClick={stop} disabled={busy || !running} data-testid="stop">Stop</button>
        </div>
      )}
      {task.error && <div class="error-box">{task.error}</div>}
      {error && problems.length === 0 && <div class="error-box" data-testid="task-error">{error}</div>}
      {problems.length > 0 && (
        <div class="error-box" data-testid="task-error">
          The task cannot start:
          <ul class="problems">{problems.map((p) => <li><span class="path">{p.path}</span>{p.message}</li>)}</ul>
        </div>
      )}

      <h2>Cases</h2>
      <div class="panel">
        <NameForm placeholder="New case name" button="Add case" testId="create-case"
          onSubmit={async (name) => {
            const id = await api.createCase(taskId, starterCase(name));
            treeChanged();
            route(`${base}/cases/${id}`);
          }} />
      </div>
      {t && t.case_list.length === 0 && <div class="empty">No case in this task yet.</div>}
      {t && t.case_list.length > 0 && (
        <table class="table">
          <thead><tr><th>case</th><th>stages</th><th class="num">cards</th><th /></tr></thead>
          <tbody>
            {t.case_list.map((c) => (
              <tr>
                <td><a href={`${base}/cases/${c.case_id}`}>{c.name}</a></td>
                <td class="muted">{stageSummary(c)}</td>
                <td class="num">{(c.contents ?? []).length}</td>
                <td class="num">
                  <button class="link danger" onClick={async () => {
                    if (!confirm(`Delete case "${c.name}"?`)) return;
                    try {
                      await api.deleteCase(c.case_id);
                      treeChanged();
                    } catch (err) {
                      setError(errorText(err));
                    }
                  }}>Delete</button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      <h2>History</h2>
      {history.data && history.data.length === 0 && <div class="empty">This task has not run yet.</div>}
      {history.data && history.data.length > 0 && (
        <>
          <div class="row" style="margin-bottom: 8px">
            <span class="muted small">Pick two runs to compare them on one chart.</span>
            <button disabled={picked.length !== 2} data-testid="compare" onClick={() => route(`${base}/compare/${picked[1]}/${picked[0]}`)}>Compare</button>
          </div>
          <table class="table" data-testid="history">
            <thead><tr><th /><th>run</th><th>started</th><th class="num">duration</th><th>cases</th><th>state</th></tr></thead>
            <tbody>
              {history.data.map((h) => (
                <tr>
                  <td><input type="checkbox" data-testid={`pick-${h.run_id}`} checked={picked.includes(h.run_id)}
                    onChange={(e) => setPicked((list) => ((e.target as HTMLInputElement).checked ? [...list, h.run_id].slice(-2) : list.filter((x) => x !== h.run_id)))} /></td>
                  <td><a href={`${base}/runs/${h.run_id}`}>run {h.run_id}</a></td>
                  <td>{new Date(h.start_time).toLocaleString()}</td>
                  <td class="num">{h.continue_time} s</td>
                  <td class="muted">{h.temp_names.map((n) => n.name).join(', ')}</td>
                  <td>{h.end_time ? <span class="badge">ended</span> : <span class="badge running">running</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </div>
  );
}
