/** Sign in: user name, password and the project id the token is scoped to. */
import { useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { logIn } from '../api/session.js';
import { errorText } from '../app/use-load.js';

/** The login page. */
export function LoginPage() {
  const { route, query } = useLocation();
  const [user, setUser] = useState('admin');
  const [password, setPassword] = useState('');
  const [projectId, setProjectId] = useState(query.project ?? 'default');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await logIn(user.trim(), password, projectId.trim());
      route(query.next && query.next.startsWith('/') ? query.next : '/');
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="login" onSubmit={submit} data-testid="login">
      <div class="brand">PerfTest Engine</div>
      <p class="muted small">Sign in with a user of this server. The token is kept for this tab only.</p>
      <label for="user">User name</label>
      <input id="user" name="user" autocomplete="username" value={user} onInput={(e) => setUser((e.target as HTMLInputElement).value)} />
      <label for="password">Password</label>
      <input id="password" name="password" type="password" autocomplete="current-password" value={password} onInput={(e) => setPassword((e.target as HTMLInputElement).value)} />
      <label for="project">Project id</label>
      <input id="project" name="project" value={projectId} onInput={(e) => setProjectId((e.target as HTMLInputElement).value)} />
      {error && <div class="error-box">{error}</div>}
      <div class="row" style="margin-top: 16px">
        <button class="primary" type="submit" disabled={busy || !user || !password || !projectId}>Sign in</button>
      </div>
    </form>
  );
}
