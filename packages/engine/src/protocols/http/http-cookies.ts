/**
 * A small per-user cookie jar for the HTTP driver ("auto" cookies: cookies set by earlier responses
 * of the same virtual user are sent again). Follows RFC 6265 for Domain, Path, Secure, Expires and
 * Max-Age; attributes it does not need (HttpOnly, SameSite) are ignored.
 */

interface Cookie {
  name: string;
  value: string;
  domain: string;
  hostOnly: boolean;
  path: string;
  secure: boolean;
  /** Epoch ms; Infinity for session cookies. */
  expires: number;
}

/** Where a request goes, as the jar needs it. */
export interface CookieTarget {
  readonly hostname: string;
  readonly pathname: string;
  readonly secure: boolean;
}

/** The cookies of one virtual user. */
export class CookieJar {
  private cookies: Cookie[] = [];

  /** Whether the jar holds no cookie. */
  get empty(): boolean {
    return this.cookies.length === 0;
  }

  /** Stores the cookie of one Set-Cookie header value received from `target`. */
  store(header: string, target: CookieTarget): void {
    const parts = header.split(';');
    const first = parts[0];
    const eq = first.indexOf('=');
    if (eq <= 0) return;
    const cookie: Cookie = {
      name: first.slice(0, eq).trim(),
      value: first.slice(eq + 1).trim(),
      domain: target.hostname,
      hostOnly: true,
      path: defaultPath(target.pathname),
      secure: false,
      expires: Infinity,
    };
    let maxAge: number | undefined;
    for (let i = 1; i < parts.length; i++) {
      const attr = parts[i];
      const aeq = attr.indexOf('=');
      const key = (aeq < 0 ? attr : attr.slice(0, aeq)).trim().toLowerCase();
      const value = aeq < 0 ? '' : attr.slice(aeq + 1).trim();
      if (key === 'domain' && value !== '') {
        const domain = value.replace(/^\./, '').toLowerCase();
        if (!domainMatches(target.hostname, domain)) return;
        cookie.domain = domain;
        cookie.hostOnly = false;
      } else if (key === 'path' && value.startsWith('/')) cookie.path = value;
      else if (key === 'secure') cookie.secure = true;
      else if (key === 'max-age' && /^-?\d+$/.test(value)) maxAge = Number(value);
      else if (key === 'expires') {
        const at = Date.parse(value);
        if (!Number.isNaN(at)) cookie.expires = at;
      }
    }
    if (maxAge !== undefined) cookie.expires = maxAge <= 0 ? 0 : Date.now() + maxAge * 1000;
    const existing = this.cookies.findIndex(
      (c) => c.name === cookie.name && c.domain === cookie.domain && c.path === cookie.path,
    );
    if (existing >= 0) this.cookies.splice(existing, 1);
    if (cookie.expires > Date.now()) this.cookies.push(cookie);
  }

  /** The Cookie header value for a request to `target`, or undefined when no cookie applies. */
  header(target: CookieTarget): string | undefined {
    if (this.cookies.length === 0) return undefined;
    const now = Date.now();
    let matched: Cookie[] | undefined;
    for (let i = this.cookies.length - 1; i >= 0; i--) {
      const c = this.cookies[i];
      if (c.expires <= now) {
        this.cookies.splice(i, 1);
        continue;
      }
      if (c.secure && !target.secure) continue;
      if (c.hostOnly ? c.domain !== target.hostname : !domainMatches(target.hostname, c.domain)) continue;
      if (!pathMatches(target.pathname, c.path)) continue;
      (matched ??= []).push(c);
    }
    if (matched === undefined) return undefined;
    matched.sort((a, b) => b.path.length - a.path.length);
    let out = '';
    for (let i = 0; i < matched.length; i++) out += (i === 0 ? '' : '; ') + matched[i].name + '=' + matched[i].value;
    return out;
  }
}

function domainMatches(host: string, domain: string): boolean {
  return host === domain || (host.endsWith('.' + domain) && !/^[\d.]+$/.test(host));
}

function pathMatches(requestPath: string, cookiePath: string): boolean {
  if (requestPath === cookiePath) return true;
  if (!requestPath.startsWith(cookiePath)) return false;
  return cookiePath.endsWith('/') || requestPath[cookiePath.length] === '/';
}

function defaultPath(pathname: string): string {
  const slash = pathname.lastIndexOf('/');
  return slash <= 0 ? '/' : pathname.slice(0, slash);
}
