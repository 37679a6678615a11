/** A test suite: rename or delete it, its tasks, a form to create a task, and one to add a directory to its case library. */
import { useLocation } from 'preact-iso';
import { api } from '../api/endpoints.js';
import { EditableTitle, NameForm } from '../app/inline-edit.js';
import { treeChanged, useTreeVersion } from '../app/tree.js';
import { useLoad } from '../app/use-load.js';

/** The suite page. */
export function SuitePage(props: { suite: string }) {
  const suiteId = Number(props.suite);
  const { route } = useLocation();
  const version = useTreeVersion();
  const suites = useLoad(() => api.suites(), [version]);
  const tasks = useLoad(() => api.tasks(suiteId), [suiteId, version]);
  const suite = suites.data?.find((s) => s.id === suiteId);
  return (
    <div class="page" data-testid="suite-page">
      <div class="crumbs"><a href="/">Test suites</a></div>
      {suite && (
        <EditableTitle name={suite.name} what="test suite"
          onRename={async (name) => { await api.renameSuite(suiteId, name); treeChanged(); }}
          onDelete={async () => { await api.deleteSuite(suiteId); treeChanged(); route('/'); }} />
      )}
      {suites.data && !suite && <div class="error-box">Test suite {suiteId} does not exist.</div>}
      <h2>Tasks</h2>
      <div class="panel">
        <NameForm placeholder="New task name" button="Create task" testId="create-task"
          onSubmit={async (name) => {
            const id = await api.createTask(suiteId, name);
            treeChanged();
            route(`/suites/${suiteId}/tasks/${id}`);
          }} />
      </div>
      {tasks.error && <div class="error-box">{tasks.error}</div>}
      {tasks.data && tasks.data.length === 0 && <div class="empty">No task in this suite yet.</div>}
      {tasks.data && tasks.data.length > 0 && (
        <table class="table">
          <thead><tr><th>task</th><th>mode</th><th>latest run</th></tr></thead>
          <tbody>
            {tasks.data.map((t) => (
              <tr>
                <td><a href={`/suites/${suiteId}/tasks/${t.id}`}>{t.name}</a></td>
                <td class="muted">{t.parallel ? 'cases in parallel' : 'cases one after another'}</td>
                <td>{t.task_run_info.id > 0 ? <a href={`/suites/${suiteId}/tasks/${t.id}/runs/${t.task_run_info.id}`}>run {t.task_run_info.id}</a> : <span class="muted">never run</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2>Case library</h2>
      <p class="muted small">Directories of cases, shown with their cases in the tree on the left.</p>
      <div class="panel">
        <NameForm placeholder="New directory name" button="Create directory" testId="create-directory"
          onSubmit={async (name) => {
            await api.createDirectory(suiteId, name);
            treeChanged();
          }} />
      </div>
    </div>
  );
}
