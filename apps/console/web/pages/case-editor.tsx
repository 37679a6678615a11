/**
 * A case: its JSON (every CaseInfoDetail field) with the problems listed by path beside it, the stage
 * editor with the load-shape preview, and a debug run whose requests and responses can be read.
 * Problems come from the server: a refused save names its field, a debug or start of a case that
 * cannot run lists every compile problem (docs/api.md, Debug).
 */
import { Crumbs } from '../app/crumbs.js';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { api, type CaseDetail, type DebugResult, type Stage } from '../api/endpoints.js';
import { EditableTitle } from '../app/inline-edit.js';
import { treeChanged, useTreeVersion } from '../app/tree.js';
import { errorText, useLoad } from '../app/use-load.js';
import { problemsOf, type Problem } from './problems.js';
import { StageEditor } from './stage-editor.js';

const RESULT_NAMES = ['', 'success', 'check point failed', 'parse failed', 'refused', 'timeout', 'other failure'];

/** The editable document of a case (its id comes from the path). */
function documentOf(c: CaseDetail): Record<string, unknown> {
  const { case_id: _id, ...rest } = c;
  return rest;
}

function parse(text: string): { doc?: Record<string, unknown>; problem?: Problem } {
  try {
    const doc = JSON.parse(text) as unknown;
    if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) return { problem: { path: '(document)', message: 'must be a JSON object' } };
    return { doc: doc as Record<string, unknown> };
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    const at = /position (\d+)/.exec(msg);
    let where = 'JSON';
    if (at) {
      const before = text.slice(0, Number(at[1]));
      where = `JSON line ${before.split('\n').length}`;
    }
    return { problem: { path: where, message: msg } };
  }
}

/**
 * The case editor page: a case of a task (`/suites/:suite/tasks/:task/cases/:kase`), or a case of
 * the suite's library opened from its directory (`/suites/:suite/cases/:kase`), which has no task
 * to debug it in.
 */
export function CaseEditorPage(props: { suite: string; task?: string; kase: string }) {
  const suiteId = Number(props.suite);
  const taskId = props.task === undefined ? undefined : Number(props.task);
  const caseId = Number(props.kase);
  const { route } = useLocation();
  const version = useTreeVersion();
  const source = useLoad(async () => {
    if (taskId === undefined) return { task: undefined, kase: await api.libraryCase(caseId) };
    const task = await api.task(taskId);
    return { task, kase: task.case_list.find((c) => c.case_id === caseId) };
  }, [taskId, caseId, version]);
  const kase = source.data?.kase;
  const [text, setText] = useState('');
  const [saved, setSaved] = useState('');
  const [problems, setProblems] = useState<Problem[]>([]);
  const [message, setMessage] = useState<string>();
  const [debug, setDebug] = useState<{ extend: string | null; result: DebugResult[] }>();
  const [busy, setBusy] = useState(false);
  const [tab, setTab] = useState<'stages' | 'json'>('stages');

  useEffect(() => {
    if (!kase) return;
    const t = JSON.stringify(documentOf(kase), null, 2);
    setText(t);
    setSaved(t);
  }, [kase?.case_id, source.data]);

  const parsed = useMemo(() => parse(text), [text]);
  const dirty = text !== saved;
  const stages = (Array.isArray(parsed.doc?.stages) ? parsed.doc!.stages : []) as Stage[];
  const increase = Array.isArray(parsed.doc?.increase_setting) ? (parsed.doc!.increase_setting as unknown[]) : undefined;
  const shown = parsed.problem ? [parsed.problem, ...problems] : problems;

  const save = async (): Promise<boolean> => {
    if (!parsed.doc) return false;
    setBusy(true);
    setMessage(undefined);
    try {
      await api.saveCase(caseId, parsed.doc);
      setSaved(text);
      setProblems([]);
      setMessage('Saved.');
      treeChanged();
      return true;
    } catch (err) {
      const msg = errorText(err);
      const found = problemsOf(msg);
      setProblems(found.length > 0 ? found : [{ path: '(save)', message: msg }]);
      return false;
    } finally {
      setBusy(false);
    }
  };
  const runDebug = async () => {
    if (taskId === undefined || (dirty && !(await save()))) return;
    setBusy(true);
    setDebug(undefined);
    setMessage('Debugging: one user runs the case once...');
    try {
      const result = await api.debugCase(suiteId, taskId, caseId);
      setDebug(result);
      setProblems([]);
      setMessage(undefined);
    } catch (err) {
      const msg = errorText(err);
      const found = problemsOf(msg);
      setProblems(found.length > 0 ? found : [{ path: '(debug)', message: msg }]);
      setMessage(undefined);
    } finally {
      setBusy(false);
    }
  };
  const setStages = (next: Stage[]) => {
    if (!parsed.doc) return;
    setText(JSON.stringify({ ...parsed.doc, stages: next }, null, 2));
  };

  return (
    <div class="page" data-testid="case-page">
      <Crumbs suite={suiteId} task={taskId === undefined ? undefined : { id: taskId, name: source.data?.task?.name }} />
      {source.error && <div class="error-box">{source.error}</div>}
      {source.data && !kase && <div class="error-box">Case {caseId} is not in this task.</div>}
      {kase && (
        <>
          <div class="page-head">
            <div class="grow">
              <EditableTitle name={kase.name} what="case"
                onRename={async (name) => { await api.renameCase(caseId, name); treeChanged(); }}
                onDelete={async () => { await api.deleteCase(caseId); treeChanged(); route(taskId === undefined ? `/suites/${suiteId}` : `/suites/${suiteId}/tasks/${taskId}`); }} />
              <span class="muted small">{dirty ? 'unsaved changes' : 'saved'}{message ? ` · ${message}` : ''}</span>
            </div>
            <button class="primary" onClick={save} disabled={busy || !dirty || !parsed.doc} data-testid="save">Save</button>
            {taskId !== undefined
              ? <button onClick={runDebug} disabled={busy || !parsed.doc} data-testid="debug">Debug</button>
              : <span class="muted small" data-testid="no-debug">debug it from a task that holds it</span>}
          </div>
          <div class="tabs">
            <button class={`tab ${tab === 'stages' ? 'active' : ''}`} onClick={() => setTab('stages')} data-testid="tab-stages">Stages</button>
            <button class={`tab ${tab === 'json' ? 'active' : ''}`} onClick={() => setTab('json')} data-testid="tab-json">JSON</button>
          </div>
          <div class="editor-grid">
            <div>
              {tab === 'json' && (
                <textarea class="json-editor" spellcheck={false} value={text} data-testid="json-editor"
                  onInput={(e) => setText((e.target as HTMLTextAreaElement).value)} />
              )}
              {tab === 'stages' && (parsed.doc ? <StageEditor stages={stages} increaseSetting={increase} onChange={setStages} /> : <div class="note-box">Fix the JSON first.</div>)}
            </div>
            <div>
              <div class="panel">
                <h3 style="margin-top: 0">Problems</h3>
                {shown.length === 0 ? <p class="muted small">None found. Debug or start the task to have the server check the whole case.</p> : (
                  <ul class="problems" data-testid="problems">
                    {shown.map((p) => <li><span class="path">{p.path}</span>{p.message}</li>)}
                  </ul>
                )}
              </div>
            </div>
          </div>
          {debug && <DebugResults debug={debug} />}
        </>
      )}
    </div>
  );
}

function DebugResults(props: { debug: { extend: string | null; result: DebugResult[] } }) {
  return (
    <div data-testid="debug-results">
      <h2>Debug run: {props.debug.result.length} requests</h2>
      {props.debug.extend && <div class="note-box">{props.debug.extend}</div>}
      {props.debug.result.map((r) => (
        <details class="debug-item">
          <summary>
            <span class={`badge ${r.result === 1 ? 'running' : 'failed'}`}>{RESULT_NAMES[r.result] ?? r.result}</span>
            <strong>{r.name}</strong>
            <span class="mono">{r.url}</span>
            <span class="muted">{r.statusCode || 'no response'} · {r.responseTime} ms</span>
            {r.errorReason && <span class="bad small">{r.errorReason}</span>}
          </summary>
          <pre>{`${r.url}\n${Object.entries(r.header ?? {}).map(([k, v]) => `${k}: ${v}`).join('\n')}\n\n${r.body}`}</pre>
          <pre>{`${r.statusCode}\n${Object.entries(r.returnHeader ?? {}).map(([k, v]) => `${k}: ${v}`).join('\n')}\n\n${r.returnBody}`}</pre>
        </details>
      ))}
    </div>
  );
}
