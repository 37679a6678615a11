/** The success envelope: `{code, message, ...body}` with the PerfTest success code. */
import { SUCCESS_CODE } from '@perftest/model';
import type { FastifyReply } from 'fastify';

/** `{code: "SVCSTG.CPTS.0000000", message: "success", ...fields}` */
export function success<T extends object>(fields: T): { code: string; message: string } & T {
  return { code: SUCCESS_CODE, message: 'success', ...fields };
}

/** offset/limit with their documented defaults. */
export function page(query: { offset?: number; limit?: number }, defaultLimit = 100): { offset: number; limit: number } {
  return { offset: query.offset ?? 0, limit: query.limit ?? defaultLimit };
}

/** Sends an answer already written as JSON text (the content type Fastify gives the objects it serialises). */
export function sendJsonText(reply: FastifyReply, text: string): FastifyReply {
  return reply.type('application/json; charset=utf-8').send(text);
}
