/** The console: the login page when signed out, else the top bar, the tree and the routed page. */
import { LocationProvider, Route, Router, useLocation } from 'preact-iso';
import { useEffect } from 'preact/hooks';
import { logOut, session } from '../api/session.js';
import { useSignal } from '../api/signal.js';
import { CaseEditorPage } from '../pages/case-editor.js';
import { ComparePage } from '../pages/compare.js';
import { LoginPage } from '../pages/login.js';
import { RunPage } from '../pages/run.js';
import { SuitePage } from '../pages/suite.js';
import { SuitesPage } from '../pages/suites.js';
import { TaskPage } from '../pages/task.js';
import { Sidebar } from './sidebar.js';
import { SwitchProject } from './switch-project.js';

function NotFound() {
  return <div class="page"><h1>Not found</h1><p><a href="/">Test suites</a></p></div>;
}

function SignedIn() {
  const s = useSignal(session)!;
  return (
    <>
      <header class="topbar">
        <a class="brand" href="/" style="color: inherit">PerfTest</a>
        <span class="topbar-title">project <strong data-testid="project">{s.project}</strong></span>
        <span class="spacer" />
        <span class="who">{s.user}</span>
        <SwitchProject />
        <button onClick={() => logOut()} data-testid="logout">Sign out</button>
      </header>
      <div class="layout">
        <Sidebar />
        <main>
          <Router>
            <Route path="/" component={SuitesPage} />
            <Route path="/suites/:suite" component={SuitePage} />
            <Route path="/suites/:suite/tasks/:task" component={TaskPage} />
            <Route path="/suites/:suite/tasks/:task/cases/:kase" component={CaseEditorPage} />
            <Route path="/suites/:suite/cases/:kase" component={CaseEditorPage} />
            <Route path="/suites/:suite/tasks/:task/runs/:run" component={RunPage} />
            <Route path="/suites/:suite/tasks/:task/compare/:a/:b" component={ComparePage} />
            <Route default component={NotFound} />
          </Router>
        </main>
      </div>
    </>
  );
}

function Shell() {
  const s = useSignal(session);
  const { path, url, route } = useLocation();
  useEffect(() => {
    if (!s && path !== '/login') route(`/login?next=${encodeURIComponent(url)}`, true);
    if (s && path === '/login') route('/', true);
  }, [s, path]);
  if (!s) return path === '/login' ? <LoginPage /> : null;
  return <SignedIn />;
}

/** The whole app. */
export function App() {
  return (
    <LocationProvider>
      <Shell />
    </LocationProvider>
  );
}
