/**
 * `GET /metrics` in the Prometheus text format (prom-client, docs/metrics.md): the API's requests
 * (count and latency by method, route pattern and status), the process (CPU, memory, event loop,
 * GC), and the run gauges (run-metrics.ts). Each server has its own registry. Whether a scrape
 * needs a credential is PERFTEST_METRICS_AUTH: `credential` (the default) asks for the usual
 * signature or token of an account allowed on every project (the figures span all projects);
 * `token` asks for `Authorization: Bearer <PERFTEST_METRICS_TOKEN>`, which Prometheus can send;
 * `none` serves anyone who reaches the port.
 */
import { apiError } from '@perftest/model';
import type { FastifyInstance, FastifySchema } from 'fastify';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import { mayUse } from '../auth/accounts.js';
import { bearerMatches } from './scrape-token.js';
import { registerRunMetrics } from './run-metrics.js';

/** Who may scrape /metrics. */
export type MetricsAuth = 'credential' | 'token' | 'none';

/** Where the metrics are served. */
export const METRICS_PATH = '/metrics';

/** A project id no account is limited to: only accounts allowed on every project (`*`) may use it. */
const EVERY_PROJECT = '\u0000every project';

/** Adds the request metrics hook and the /metrics route to `app` (call before the route groups). */
export function installMetrics(app: FastifyInstance, auth: MetricsAuth, token?: string): Registry {
  if (auth === 'token' && (token === undefined || token === '')) throw new Error('metrics auth "token" needs the scrape token');
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'perftest_api_' });
  const requests = new Counter({
    name: 'perftest_http_requests_total',
    help: 'API requests answered, by method, route pattern and status code',
    labelNames: ['method', 'route', 'status'],
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'perftest_http_request_duration_seconds',
    help: 'Time from a request arriving to its response being sent, by method and route pattern',
    labelNames: ['method', 'route'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  registerRunMetrics(registry, app.db);

  app.addHook('onResponse', async (request, reply) => {
    // the route pattern, never the raw URL: label values stay as few as the routes
    const route = request.routeOptions.url ?? 'unmatched';
    requests.inc({ method: request.method, route, status: String(reply.statusCode) });
    latency.observe({ method: request.method, route }, reply.elapsedTime / 1000);
  });

  app.get(
    METRICS_PATH,
    {
      config: { public: auth !== 'credential' },
      schema: {
        summary: 'Prometheus metrics of the API and of the running case runs',
        description: 'Prometheus text format. PERFTEST_METRICS_AUTH decides whether it needs a credential; see docs/metrics.md.',
        produces: ['text/plain'],
      } as FastifySchema,
    },
    async (request, reply) => {
      if (auth === 'credential' && (request.principal === undefined || !mayUse(request.principal, EVERY_PROJECT))) {
        throw apiError('FORBIDDEN', { project: '* (metrics span every project)' });
      }
      if (auth === 'token' && !bearerMatches(request.headers.authorization, token as string)) {
        throw apiError('UNAUTHORIZED', { detail: 'GET /metrics needs Authorization: Bearer <PERFTEST_METRICS_TOKEN>' });
      }
      const text = await registry.metrics();
      return reply.type(registry.contentType).send(text);
    },
  );
  return registry;
}
