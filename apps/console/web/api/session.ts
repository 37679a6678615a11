/**
 * The signed-in session of this browser tab: a token from `POST /v3/auth/tokens`, scoped to one
 * project id, kept in sessionStorage (gone when the tab closes). Switching project means a new
 * token for that project, asked for with the password again.
 */
import { signal } from './signal.js';

/** What a tab remembers of its login. */
export interface Session {
  user: string;
  project: string;
  token: string;
  expiresAt: string;
}

const KEY = 'perftest.session';

function load(): Session | null {
  try {
    const raw = sessionStorage.getItem(KEY);
    if (!raw) return null;
    const s = JSON.parse(raw) as Session;
    return Date.parse(s.expiresAt) > Date.now() ? s : null;
  } catch {
    return null;
  }
}

/** The current session (null when signed out). */
export const session = signal<Session | null>(load());

/** An error answered by the API, with its `error_code` and `error_msg`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Asks for a token of `project`; stores and returns the session. */
export async function logIn(user: string, password: string, project: string): Promise<Session> {
  const res = await fetch('/v3/auth/tokens', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      auth: {
        identity: { methods: ['password'], password: { user: { name: user, password, domain: { name: user } } } },
        scope: { project: { id: project } },
      },
    }),
  });
  const body = (await res.json().catch(() => ({}))) as { token?: { expires_at?: string }; error_code?: string; error_msg?: string };
  const token = res.headers.get('X-Subject-Token');
  if (!res.ok || !token) throw new ApiError(res.status, body.error_code ?? '', body.error_msg ?? `login failed (${res.status})`);
  const s: Session = { user, project, token, expiresAt: body.token?.expires_at ?? new Date(Date.now() + 3_600_000).toISOString() };
  sessionStorage.setItem(KEY, JSON.stringify(s));
  session.value = s;
  return s;
}

/** Forgets the token. */
export function logOut(): void {
  sessionStorage.removeItem(KEY);
  session.value = null;
}
