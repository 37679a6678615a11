/** GET /health: liveness and database reachability, no credential needed. */
import type { FastifyPluginAsync } from 'fastify';

/** The health route. */
export const healthRoutes: FastifyPluginAsync = async (app) => {
  app.get('/health', { config: { public: true } }, async () => {
    await app.db.query('select 1');
    return { status: 'ok', database: app.db.kind };
  });
};
