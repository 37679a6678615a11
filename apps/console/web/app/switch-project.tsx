/** Switching project: a new token for the other project id, asked for with the password. */
import { useRef, useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { logIn, session } from '../api/session.js';
import { errorText } from './use-load.js';
import { treeChanged } from './tree.js';

/** The "Switch project" button and its dialog. */
export function SwitchProject() {
  const dialog = useRef<HTMLDialogElement>(null);
  const { route } = useLocation();
  const [projectId, setProjectId] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string>();
  const submit = async (e: Event) => {
    e.preventDefault();
    const s = session.value;
    if (!s) return;
    try {
      await logIn(s.user, password, projectId.trim());
      setPassword('');
      setError(undefined);
      dialog.current?.close();
      treeChanged();
      route('/');
    } catch (err) {
      setError(errorText(err));
    }
  };
  return (
    <>
      <button onClick={() => dialog.current?.showModal()} data-testid="switch-project">Switch project</button>
      <dialog ref={dialog}>
        <form onSubmit={submit}>
          <h2 style="margin-top: 0">Switch project</h2>
          <p class="muted small">A token is scoped to one project: sign in again for the other one.</p>
          <label>Project id</label>
          <input value={projectId} onInput={(e) => setProjectId((e.target as HTMLInputElement).value)} />
          <label>Password of {session.value?.user}</label>
          <input type="password" value={password} onInput={(e) => setPassword((e.target as HTMLInputElement).value)} />
          {error && <div class="error-box">{error}</div>}
          <div class="row" style="margin-top: 14px">
            <button class="primary" type="submit" disabled={!projectId || !password}>Switch</button>
            <button type="button" onClick={() => dialog.current?.close()}>Cancel</button>
          </div>
        </form>
      </dialog>
    </>
  );
}
