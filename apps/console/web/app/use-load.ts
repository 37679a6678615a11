/** Loads data for a component and reloads it when its keys change; errors come back as text. */
import { useEffect, useState } from 'preact/hooks';
import { ApiError } from '../api/session.js';

/** The state of one load. */
export interface Loaded<T> {
  data: T | undefined;
  error: string | undefined;
  loading: boolean;
  reload(): void;
}

/** Runs `load` when `keys` change (and on reload()). */
export function useLoad<T>(load: () => Promise<T>, keys: unknown[]): Loaded<T> {
  const [state, setState] = useState<{ data: T | undefined; error: string | undefined; loading: boolean }>({ data: undefined, error: undefined, loading: true });
  const [bump, setBump] = useState(0);
  useEffect(() => {
    let alive = true;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (data) => alive && setState({ data, error: undefined, loading: false }),
      (err: unknown) => alive && setState({ data: undefined, error: errorText(err), loading: false }),
    );
    return () => {
      alive = false;
    };
  }, [...keys, bump]);
  return { ...state, reload: () => setBump((n) => n + 1) };
}

/** An error as a person reads it. */
export function errorText(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  return err instanceof Error ? err.message : String(err);
}
