/** The home page: the project's test suites, and a form to create one. */
import { useLocation } from 'preact-iso';
import { api } from '../api/endpoints.js';
import { session } from '../api/session.js';
import { NameForm } from '../app/inline-edit.js';
import { treeChanged, useTreeVersion } from '../app/tree.js';
import { useLoad } from '../app/use-load.js';

/** The suites page. */
export function SuitesPage() {
  const { route } = useLocation();
  const version = useTreeVersion();
  const suites = useLoad(() => api.suites(), [version]);
  return (
    <div class="page" data-testid="suites-page">
      <div class="page-head">
        <div class="grow">
          <div class="crumbs">project {session.value?.project}</div>
          <h1>Test suites</h1>
        </div>
      </div>
      <div class="panel">
        <NameForm placeholder="New test suite name" button="Create suite" testId="create-suite"
          onSubmit={async (name) => {
            const id = await api.createSuite(name);
            treeChanged();
            route(`/suites/${id}`);
          }} />
      </div>
      {suites.error && <div class="error-box">{suites.error}</div>}
      {suites.data && suites.data.length === 0 && <div class="empty">No test suite yet: create one above.</div>}
      {suites.data && suites.data.length > 0 && (
        <table class="table">
          <thead><tr><th>name</th><th>description</th><th class="num">id</th></tr></thead>
          <tbody>
            {suites.data.map((s) => (
              <tr><td><a href={`/suites/${s.id}`}>{s.name}</a></td><td class="muted">{s.description}</td><td class="num">{s.id}</td></tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
