/**
 * Errors raised before any route, answered in the error shape `{error_code, error_msg}` with an
 * X-Request-Id like every other: what Node's HTTP parser refuses (headers over its limit: 431, a
 * request not received in time: 408, anything malformed: 400), written on the socket here because
 * no request object exists yet; a URL longer than MAX_URL_BYTES (414); and requests arriving while
 * the server closes (503).
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { Duplex } from 'node:stream';
import { apiError, type ApiError } from '@perftest/model';
import type { FastifyInstance } from 'fastify';

/** Longest URL (path and query) accepted; Node refuses request lines and headers past maxHeaderSize with 431. */
export const MAX_URL_BYTES = 8192;

/** Writes a complete error response on a raw socket and closes it. */
function writeError(socket: Duplex, api: ApiError): void {
  const body = JSON.stringify({ error_code: api.errorCode, error_msg: api.message });
  socket.end(
    `HTTP/1.1 ${api.status} ${http.STATUS_CODES[api.status] ?? 'Error'}\r\n` +
      `Content-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
      `X-Request-Id: ${randomBytes(16).toString('hex')}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/** Fastify's clientErrorHandler: what Node's parser refused, in the error shape. */
export function clientErrorHandler(this: FastifyInstance, err: NodeJS.ErrnoException, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || socket.destroyed || !socket.writable) {
    socket.destroy();
    return;
  }
  let api: ApiError;
  if (err.code === 'HPE_HEADER_OVERFLOW') api = apiError('HEADERS_TOO_LARGE', { limit: http.maxHeaderSize });
  else if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') api = apiError('REQUEST_TIMEOUT', { seconds: Math.round(this.server.requestTimeout / 1000) });
  else api = apiError('BAD_REQUEST', { detail: `malformed HTTP request${err.code ? ` (${err.code})` : ''}` });
  this.log.debug({ code: err.code }, 'client error');
  writeError(socket, api);
}

/** Refuses over-long URLs (414) and requests that arrive while the server closes (503). */
export function installEarlyErrors(app: FastifyInstance): void {
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onRequest', async (request, reply) => {
    if (closing) {
      void reply.header('Connection', 'close');
      throw apiError('UNAVAILABLE', { detail: 'the server is shutting down' });
    }
    const url = request.raw.url ?? '';
    if (url.length > MAX_URL_BYTES) throw apiError('URI_TOO_LONG', { limit: MAX_URL_BYTES });
  });
}
