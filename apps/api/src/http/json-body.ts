/**
 * Keeps the raw body (the signature covers its exact bytes) and parses JSON. An empty body with
 * Content-Type: application/json is no body: the SDKs send that header on GET and DELETE.
 */
import type { FastifyInstance } from 'fastify';
import { apiError } from '@perftest/model';

declare module 'fastify' {
  interface FastifyRequest {
    /** The body's exact bytes, for signature verification. */
    rawBody?: Buffer;
  }
}

/** Registers the JSON parser for application/json (with any parameters) and `+json` types. */
export function installJsonBody(app: FastifyInstance): void {
  app.removeContentTypeParser(['application/json', 'text/plain']);
  const parse = (request: { rawBody?: Buffer }, body: Buffer, done: (err: Error | null, value?: unknown) => void) => {
    request.rawBody = body;
    if (body.length === 0 || body.every((b) => b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09)) {
      done(null, undefined);
      return;
    }
    try {
      done(null, JSON.parse(body.toString('utf8')));
    } catch (err) {
      done(apiError('INVALID_JSON', { detail: (err as Error).message }));
    }
  };
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, parse);
  app.addContentTypeParser('text/plain', { parseAs: 'buffer' }, parse);
  app.addContentTypeParser(/^application\/[\w.+-]*\+json/, { parseAs: 'buffer' }, parse);
}
