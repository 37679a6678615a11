/**
 * What the server runs besides the CRUD routes: the run dispatcher and, in the embedded default,
 * an in-process worker. Filled in by the runs work; for now nothing extra runs.
 */
import type { Database } from '@perftest/store';
import type { FastifyInstance } from 'fastify';
import type { Config } from './config.js';

/** Extra routes and the stop hook of what the server embeds. */
export interface Embedded {
  routes: ReadonlyArray<Parameters<FastifyInstance['register']>[0]>;
  stop(): Promise<void>;
}

/** Starts what the server embeds. */
export async function startEmbedded(_db: Database, _config: Config): Promise<Embedded> {
  return { routes: [], stop: async () => {} };
}
