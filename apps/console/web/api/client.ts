/**
 * Every call the console makes: the public API with the session's token in X-Auth-Token. Errors
 * come back as ApiError with the server's `error_msg`; a 401 signs the tab out.
 */
import { ApiError, logOut, session } from './session.js';

/** The signed-in project id (throws when signed out). */
export function project(): string {
  const s = session.value;
  if (!s) throw new ApiError(401, '', 'not signed in');
  return encodeURIComponent(s.project);
}

/** Headers of an authenticated call. */
export function authHeaders(): Record<string, string> {
  const s = session.value;
  return s ? { 'X-Auth-Token': s.token } : {};
}

/** Sends one call; parses JSON; throws ApiError on a non-2xx answer. */
export async function call<T = any>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  const headers: Record<string, string> = { ...authHeaders() };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal });
  const text = await res.text();
  let parsed: any = undefined;
  if (text) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
  }
  if (!res.ok) {
    if (res.status === 401) logOut();
    throw new ApiError(res.status, parsed?.error_code ?? '', parsed?.error_msg ?? `${method} ${path}: ${res.status}`);
  }
  return parsed as T;
}

export const get = <T = any>(path: string, signal?: AbortSignal) => call<T>('GET', path, undefined, signal);
export const post = <T = any>(path: string, body?: unknown) => call<T>('POST', path, body ?? {});
export const put = <T = any>(path: string, body?: unknown) => call<T>('PUT', path, body ?? {});
export const del = <T = any>(path: string) => call<T>('DELETE', path);
