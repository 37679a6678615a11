/**
 * A PUT names what it changes in its path; a body that names something else is a 400, never a
 * silent change of the path's resource (`PUT .../test-suites/3 {"id": 2}` does not rename suite 3
 * as suite 2). Checked on every PUT route, those added later included: a body field named as a path
 * parameter must equal it, and the body's `id` must equal the path's last `*_id` parameter (its own
 * id); 0 and empty values stand for "unset". `project_id` is left out: in bodies it names a test suite,
 * in paths a tenant.
 */
import { apiError } from '@perftest/model';
import type { FastifyInstance } from 'fastify';

const OWN_ID = /_id$/;

/** The body's value of `key` when it is given (null, absent, 0 and "" are not: clients send 0 for "unset"). */
function given(body: Record<string, unknown>, key: string): unknown {
  const value = body[key];
  return value === null || value === undefined || value === 0 || value === '' ? undefined : value;
}

/** Installs the check (after validation: path parameters are numbers by then). */
export function installPathIdCheck(app: FastifyInstance): void {
  app.addHook('preHandler', async (request) => {
    if (request.method !== 'PUT') return;
    const body = request.body;
    const params = request.params as Record<string, unknown> | undefined;
    if (body === null || typeof body !== 'object' || Array.isArray(body) || params === undefined) return;
    const fields = body as Record<string, unknown>;
    let own: string | undefined;
    for (const name in params) {
      if (name === 'project_id') continue;
      if (OWN_ID.test(name)) own = name;
      const value = given(fields, name);
      if (value !== undefined && String(value) !== String(params[name])) {
        throw apiError('INVALID_FIELD', { field: name, detail: `${value} does not match the ${name} ${params[name]} of the path` });
      }
    }
    const id = own === undefined ? undefined : given(fields, 'id');
    if (own !== undefined && id !== undefined && String(id) !== String(params[own])) {
      throw apiError('INVALID_FIELD', { field: 'id', detail: `${id} does not match the ${own} ${params[own]} of the path` });
    }
  });
}
