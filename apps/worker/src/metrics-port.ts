/**
 * PERFTEST_METRICS_PORT: this worker's own Prometheus metrics at `/metrics` (docs/metrics.md): its
 * process (CPU, memory, event loop, GC, prefixed `perftest_worker_`), the shares it runs now and its
 * engine threads. The figures of the runs themselves, merged over every worker, are on the API's
 * /metrics. With PERFTEST_METRICS_TOKEN a scrape needs `Authorization: Bearer <token>`; without it,
 * none: bind it to a private address.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';

/** What the metrics read from the worker. */
export interface WorkerMetricsSource {
  readonly id: string;
  readonly running: number;
}

const digest = (text: string): Buffer => createHash('sha256').update(text).digest();

/** Serves the worker's metrics on `host:port` (asking for `token` as a bearer when set); resolves once listening. */
export async function serveWorkerMetrics(
  source: WorkerMetricsSource,
  threads: number,
  host: string,
  port: number,
  token?: string,
): Promise<Server> {
  const registry = new Registry();
  registry.setDefaultLabels({ worker: source.id });
  collectDefaultMetrics({ register: registry, prefix: 'perftest_worker_' });
  new Gauge({
    name: 'perftest_worker_shares_running',
    help: 'Shares of case runs this worker runs now',
    registers: [registry],
    collect() {
      this.set(source.running);
    },
  });
  new Gauge({ name: 'perftest_worker_threads', help: 'Engine threads each share runs on', registers: [registry] }).set(threads);
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('metrics are at /metrics\n');
      return;
    }
    const given = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1] ?? '';
    if (token !== undefined && !timingSafeEqual(digest(given), digest(token))) {
      res.writeHead(401, { 'content-type': 'text/plain', 'www-authenticate': 'Bearer' }).end('Authorization: Bearer <PERFTEST_METRICS_TOKEN> needed\n');
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (error: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`${String(error)}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return server;
}
