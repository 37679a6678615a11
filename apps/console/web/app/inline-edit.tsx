/** Small editing controls: a name field that creates or renames, and a delete with confirmation. */
import { useState } from 'preact/hooks';
import { errorText } from './use-load.js';

/** An input and a button; `onSubmit` gets the trimmed name. */
export function NameForm(props: { placeholder: string; button: string; initial?: string; testId?: string; onSubmit(name: string): Promise<unknown>; onCancel?(): void }) {
  const [name, setName] = useState(props.initial ?? '');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    if (!name.trim()) return;
    setBusy(true);
    setError(undefined);
    try {
      await props.onSubmit(name.trim());
      setName('');
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="row" onSubmit={submit} data-testid={props.testId}>
      <input value={name} placeholder={props.placeholder} onInput={(e) => setName((e.target as HTMLInputElement).value)} maxLength={256} />
      <button class="primary" disabled={busy || !name.trim()} type="submit">{props.button}</button>
      {props.onCancel && <button type="button" onClick={props.onCancel}>Cancel</button>}
      {error && <span class="bad small">{error}</span>}
    </form>
  );
}

/** A page title that turns into a rename form. */
export function EditableTitle(props: { name: string; onRename(name: string): Promise<unknown>; onDelete?(): Promise<unknown>; what: string }) {
  const [editing, setEditing] = useState(false);
  const [error, setError] = useState<string>();
  if (editing) {
    return <NameForm placeholder={`${props.what} name`} button="Rename" initial={props.name} testId="rename-form"
      onSubmit={async (n) => { await props.onRename(n); setEditing(false); }} onCancel={() => setEditing(false)} />;
  }
  return (
    <div class="row">
      <h1>{props.name}</h1>
      <button class="link" onClick={() => setEditing(true)} data-testid="rename">Rename</button>
      {props.onDelete && (
        <button class="link danger" data-testid="delete" onClick={async () => {
          if (!confirm(`Delete ${props.what} "${props.name}"?`)) return;
          try {
            await props.onDelete!();
          } catch (err) {
            setError(errorText(err));
          }
        }}>Delete</button>
      )}
      {error && <span class="bad small">{error}</span>}
    </div>
  );
}
