/** Turns every failure into `{error_code, error_msg}` with the catalogue's status, in one place. */
import { ApiError, apiError } from '@perftest/model';
import { DatabaseUnavailableError, isConnectionLost } from '@perftest/store';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { databaseInputError, type RequestInput } from './database-errors.js';
import { describeValidation } from './validation.js';

/** Maps a thrown error to the catalogue error the client sees. */
export function toApiError(err: FastifyError | ApiError | Error, requestId: string, input?: RequestInput): ApiError {
  if (err instanceof ApiError) return err;
  const fe = err as FastifyError;
  if (fe.validation) {
    const { field, detail } = describeValidation(fe.validation as never, fe.validationContext ?? 'body');
    return apiError('INVALID_FIELD', { field, detail });
  }
  if (err instanceof DatabaseUnavailableError || isConnectionLost(err)) {
    return apiError('UNAVAILABLE', { detail: 'the database cannot be reached at the moment; retry shortly' });
  }
  const fromDatabase = databaseInputError(err, input);
  if (fromDatabase) return fromDatabase;
  switch (fe.code) {
    case 'FST_ERR_BAD_URL':
      return apiError('BAD_REQUEST', { detail: 'the path is not valid percent-encoded UTF-8' });
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return apiError('BAD_REQUEST', { detail: `a path parameter is longer than ${MAX_PARAM_LENGTH} characters` });
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return apiError('INVALID_JSON', { detail: fe.message });
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return apiError('PAYLOAD_TOO_LARGE', { limit: String(BODY_LIMIT) });
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return apiError('UNSUPPORTED_MEDIA_TYPE', { type: JSON.stringify(String(input?.headers?.['content-type'] ?? '')) });
    default:
      break;
  }
  if (fe.statusCode !== undefined && fe.statusCode >= 400 && fe.statusCode < 500) {
    return apiError('BAD_REQUEST', { detail: fe.message });
  }
  return apiError('INTERNAL', { requestId });
}

/** Longest path parameter the router matches; longer ones are a 400 (route schemas cap lower). */
export const MAX_PARAM_LENGTH = 512;

/**
 * Errors Fastify raises before routing (a path that is not valid percent-encoded UTF-8, an
 * over-long parameter), answered in the same shape and with the request id header.
 */
export function frameworkErrorHandler(err: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const api = toApiError(err, request.id);
  void reply.header('X-Request-Id', request.id).status(api.status).send({ error_code: api.errorCode, error_msg: api.message });
}

/** Seconds a 503 asks the client to wait before trying again. */
export const RETRY_AFTER_SECONDS = 1;

/** Largest request body accepted (bytes). */
export const BODY_LIMIT = 16 * 1024 * 1024;

/** Installs the error and not-found handlers. */
export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((err, request, reply) => {
    const api = toApiError(err as FastifyError, request.id, request);
    if (api.status >= 500) request.log.error({ err, requestId: request.id }, 'request failed');
    if (api.status === 503) void reply.header('Retry-After', String(RETRY_AFTER_SECONDS));
    void reply.status(api.status).send({ error_code: api.errorCode, error_msg: api.message });
  });
  app.setNotFoundHandler((request, reply) => {
    const api = apiError('ROUTE_NOT_FOUND', { method: request.method, url: request.url.split('?')[0] });
    void reply.status(api.status).send({ error_code: api.errorCode, error_msg: api.message });
  });
}
