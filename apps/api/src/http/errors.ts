/** Turns every failure into `{error_code, error_msg}` with the catalogue's status, in one place. */
import { ApiError, apiError } from '@perftest/model';
import type { FastifyError, FastifyInstance } from 'fastify';
import { describeValidation } from './validation.js';

/** Maps a thrown error to the catalogue error the client sees. */
export function toApiError(err: FastifyError | ApiError | Error, requestId: string): ApiError {
  if (err instanceof ApiError) return err;
  const fe = err as FastifyError;
  if (fe.validation) {
    const { field, detail } = describeValidation(fe.validation as never, fe.validationContext ?? 'body');
    return apiError('INVALID_FIELD', { field, detail });
  }
  switch (fe.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return apiError('INVALID_JSON', { detail: fe.message });
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return apiError('PAYLOAD_TOO_LARGE', { limit: String(BODY_LIMIT) });
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return apiError('UNSUPPORTED_MEDIA_TYPE', { type: String(fe.message.split(': ').pop()) });
    default:
      break;
  }
  if (fe.statusCode !== undefined && fe.statusCode >= 400 && fe.statusCode < 500) {
    return apiError('BAD_REQUEST', { detail: fe.message });
  }
  return apiError('INTERNAL', { requestId });
}

/** Largest request body accepted (bytes). */
export const BODY_LIMIT = 16 * 1024 * 1024;

/** Installs the error and not-found handlers. */
export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((err, request, reply) => {
    const api = toApiError(err as FastifyError, request.id);
    if (api.status >= 500) request.log.error({ err, requestId: request.id }, 'request failed');
    void reply.status(api.status).send({ error_code: api.errorCode, error_msg: api.message });
  });
  app.setNotFoundHandler((request, reply) => {
    const api = apiError('ROUTE_NOT_FOUND', { method: request.method, url: request.url.split('?')[0] });
    void reply.status(api.status).send({ error_code: api.errorCode, error_msg: api.message });
  });
}
