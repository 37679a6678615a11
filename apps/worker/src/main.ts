/**
 * A load-generating worker process: connects to the API's Postgres database (DATABASE_URL), registers
 * with a heartbeat, claims its shares of runs and runs them on PERFTEST_WORKER_THREADS engine threads,
 * writing one interval per second per share. SIGINT/SIGTERM leave cleanly (running shares go to the
 * live workers at once); a worker killed outright is declared dead after 10 s without heartbeat.
 */
import { buildTargetPolicy } from '@perftest/engine';
import { consoleLog, RunWorker } from '@perftest/runner';
import { openDatabase } from '@perftest/store';
import { loadWorkerConfig, WorkerConfigError } from './config.js';
import { serveWorkerMetrics } from './metrics-port.js';

/** Connections of the worker's pool (claims, heartbeats, interval inserts; LISTEN has its own). */
const POOL_SIZE = 4;

async function main(): Promise<void> {
  let config;
  try {
    config = loadWorkerConfig();
  } catch (err) {
    if (err instanceof WorkerConfigError) {
      process.stderr.write(`perftest worker: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const log = consoleLog(config.logLevel, 'worker');
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: '', poolSize: POOL_SIZE });
  // The target policy of every share this worker runs (docs/security.md): the database and this
  // worker's own metrics port are reserved.
  const policy = await buildTargetPolicy({
    allow: config.targetAllow,
    deny: config.targetDeny,
    databaseUrl: config.databaseUrl,
    listen: config.metricsPort === undefined ? undefined : { host: config.metricsHost, port: config.metricsPort },
  });
  for (const warning of policy.warnings) log('warn', `target policy: ${warning}`);
  const worker = new RunWorker({ db, threads: config.threads, memoryMb: config.memoryMb, log, engine: { targetPolicy: policy.spec } });
  await worker.start();
  process.stdout.write(`perftest worker ${worker.id} joined with ${config.threads} thread(s), ${config.memoryMb} MB\n`);
  const metrics = config.metricsPort === undefined ? undefined : await serveWorkerMetrics(worker, config.threads, config.metricsHost, config.metricsPort, config.metricsToken);
  if (metrics !== undefined) process.stdout.write(`perftest worker metrics on http://${config.metricsHost}:${config.metricsPort}/metrics\n`);

  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    log('info', 'stopping', { signal });
    metrics?.close();
    await worker.stop();
    await db.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

void main();
