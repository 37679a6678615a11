/**
 * Every route but those marked `config: { public: true }` needs a credential: an AK/SK signature or
 * an X-Auth-Token. Then the path's project_id must match X-Project-Id (when sent) and be one the
 * credential may use. Order: 401 (no or bad credential), 400 (header mismatch), 403 (no rights).
 */
import { apiError } from '@perftest/model';
import type { Database } from '@perftest/store';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { CREDENTIALS_CHANGED, mayUse, type Principal } from './accounts.js';
import { CredentialCache } from './credential-cache.js';
import { verifySignature, type AccessKeyLookup } from './verify-signature.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The verified caller. */
    principal?: Principal;
  }
  interface FastifyContextConfig {
    /** True for the routes that need no credential (health, token issue). */
    public?: boolean;
  }
}

function pathAndQuery(request: FastifyRequest): { path: string; query: Record<string, string | string[]> } {
  const url = request.raw.url ?? '/';
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  const query: Record<string, string | string[]> = {};
  if (q >= 0) {
    for (const [k, v] of new URLSearchParams(url.slice(q + 1))) {
      const prev = query[k];
      query[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
    }
  }
  return { path, query };
}

async function identify(
  db: Database,
  cache: CredentialCache,
  lookup: AccessKeyLookup,
  request: FastifyRequest,
  now: () => number,
): Promise<Principal> {
  const token = request.headers['x-auth-token'];
  if (typeof token === 'string' && token.length > 0) {
    const found = await cache.token(token);
    if (!found) throw apiError('UNAUTHORIZED', { detail: 'X-Auth-Token is invalid or expired' });
    return found.principal;
  }
  const authorization = request.headers.authorization;
  if (typeof authorization !== 'string' || authorization.length === 0) {
    throw apiError('UNAUTHORIZED', { detail: 'a credential is required: sign the request (SDK-HMAC-SHA256) or send X-Auth-Token' });
  }
  const payload = request.headers['x-sdk-content-sha256'];
  if (typeof payload === 'string' && payload.trim() === 'UNSIGNED-PAYLOAD' && (request.rawBody?.length ?? 0) > 0) {
    // The SDKs send it only for content types this API does not take: a body must be signed, or
    // it could be swapped after signing.
    throw apiError('UNAUTHORIZED', { detail: 'X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD is refused on a request with a body: sign the body' });
  }
  const { path, query } = pathAndQuery(request);
  const result = await verifySignature(db, authorization, {
    method: request.method,
    path,
    query,
    headers: request.headers,
    body: request.rawBody,
  }, now(), lookup);
  if (!result.ok) throw apiError('UNAUTHORIZED', { detail: result.reason });
  return result.principal;
}

/**
 * Installs the authentication and project-rights check. Verified credentials are remembered for a few
 * seconds (CredentialCache); a CREDENTIALS_CHANGED notification on the database empties that memory.
 */
export function installAuthentication(app: FastifyInstance, db: Database, now: () => number): void {
  const cache = new CredentialCache(db);
  const lookup: AccessKeyLookup = (accessKey) => cache.accessKey(accessKey);
  let unlisten: (() => Promise<void>) | undefined;
  app.addHook('onReady', async () => {
    unlisten = await db.listen(CREDENTIALS_CHANGED, () => cache.clear());
  });
  app.addHook('onClose', async () => {
    await unlisten?.().catch(() => {}); // the database may be closed already
  });
  app.addHook('preValidation', async (request) => {
    if (request.routeOptions.config?.public || request.is404) return;
    request.principal = await identify(db, cache, lookup, request, now);
    const project = (request.params as { project_id?: string } | undefined)?.project_id;
    if (project === undefined) return;
    const header = request.headers['x-project-id'];
    if (typeof header === 'string' && header !== '' && header !== project) {
      throw apiError('PROJECT_ID_MISMATCH', { header, path: project });
    }
    if (!mayUse(request.principal, project)) throw apiError('FORBIDDEN', { project });
  });
}
