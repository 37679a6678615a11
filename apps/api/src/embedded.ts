/**
 * What the server runs besides the CRUD routes: the start/stop route and the run machinery. With
 * PERFTEST_WORKERS > 0 (the default) an in-process worker with that many engine threads joins the
 * runs like any separate worker (same tables, same claims); with 0 the server only reconciles (so a
 * run whose workers all died still ends) and separate `apps/worker` processes generate the load.
 */
import { consoleLog, Dispatcher, RunWorker } from '@perftest/runner';
import type { Database } from '@perftest/store';
import type { FastifyInstance } from 'fastify';
import type { Config } from './config.js';
import { taskStatusRoutes, type RunControl } from './routes/task-status.js';

/** A route group as the server registers it. */
type RouteGroup = Parameters<FastifyInstance['register']>[0];

/** Extra routes and the stop hook of what the server embeds. */
export interface Embedded {
  routes: ReadonlyArray<RouteGroup>;
  /** The in-process worker, when there is one. */
  worker: RunWorker | undefined;
  stop(): Promise<void>;
}

/** Starts what the server embeds. */
export async function startEmbedded(db: Database, config: Pick<Config, 'workers' | 'logLevel'>): Promise<Embedded> {
  const log = consoleLog(config.logLevel, 'runner');
  let control: RunControl;
  let stop: () => Promise<void>;
  let worker: RunWorker | undefined;
  if (config.workers > 0) {
    const embedded = new RunWorker({ db, threads: config.workers, embedded: true, log });
    await embedded.start();
    worker = embedded;
    control = embedded;
    stop = () => embedded.stop();
  } else {
    if (db.kind === 'pglite') {
      log('warn', 'PERFTEST_WORKERS=0 on the embedded PGlite database: no worker can join it, so every run will end in 3 ("no worker"); use DATABASE_URL with separate workers');
    }
    const dispatcher = new Dispatcher(db, { log });
    await dispatcher.start();
    control = dispatcher;
    stop = () => dispatcher.stop();
  }
  // The TypeBox-typed plugin registers on the server's TypeBox-typed instance.
  const routes = [taskStatusRoutes(control) as unknown as RouteGroup];
  return { routes, worker, stop };
}
