/**
 * Builds the Fastify server: request ids on every response, raw-body JSON parsing, validation that
 * names fields, `{error_code, error_msg}` errors, authentication, then the route groups.
 */
import { randomBytes } from 'node:crypto';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Database } from '@perftest/store';
import { liveCapacity } from '@perftest/runner';
import { DEFAULT_TARGET_POLICY, TargetPolicy, type TargetResolver } from '@perftest/engine';
import type { TargetPolicySpec } from '@perftest/model';
import { Admission } from './admission/admission.js';
import { DEFAULT_LIMITS, type AdmissionLimits } from './admission/limits.js';
import { installAuthentication } from './auth/authenticate.js';
import { DEFAULT_CONSOLE_DIR } from './config.js';
import { installConsole } from './console/serve-console.js';
import { clientErrorHandler, installEarlyErrors } from './http/early-errors.js';
import { BODY_LIMIT, frameworkErrorHandler, installErrorHandlers, MAX_PARAM_LENGTH } from './http/errors.js';
import { installPathIdCheck } from './http/path-ids.js';
import { installJsonBody } from './http/json-body.js';
import { validatorCompiler } from './http/validation.js';
import { installMetrics, type MetricsAuth } from './metrics/install.js';
import { installOpenApi } from './openapi.js';
import { installRollupJob, type RollupJobOptions } from './reports/rollup-job.js';
import { ROUTE_GROUPS } from './routes/index.js';
import { ReportCache } from './reports/report-cache.js';
import { CaseJsonCache } from './routes/case-json-cache.js';
import { NO_RUN_CONTROL, type RunControl } from './runs/task-runs.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The database every route uses. */
    db: Database;
    /** The process's run machinery, poked after a start or a stop. */
    runControl: RunControl;
    /** The target policy compiled for one debug run (docs/security.md, "Target policy"). */
    targetPolicy(): TargetPolicy;
    /** Limits and target checks of saves and starts (admission/). */
    admission: Admission;
    /**
     * Folded intervals of recently read case runs, one for the v1 report and the merged (v2)
     * reports, so that reading a case run through both folds its rows once (reports/report-cache.ts).
     */
    reportCache: ReportCache;
    /** Cases and card lists of `taskInfo` rendered once per version (routes/case-json-cache.ts). */
    caseJson: CaseJsonCache;
  }
}

/** What the server needs. */
export interface ServerOptions {
  db: Database;
  logLevel?: string;
  /** Whether GET /metrics needs a credential (PERFTEST_METRICS_AUTH; default `credential`). */
  metricsAuth?: MetricsAuth;
  /** The scrape token of `metricsAuth` 'token'. */
  metricsToken?: string;
  /** The clock signatures are checked against (tests set it to replay fixed vectors). */
  now?: () => number;
  /** The run machinery of the process (embedded.ts); without it runs are recorded but never dispatched here. */
  runControl?: RunControl;
  /**
   * Which targets debug runs may connect to (the server's policy, built at start-up; runs get the
   * same spec through the worker). Default: link-local and cloud metadata denied.
   */
  targetPolicy?: TargetPolicySpec;
  /** How debug runs resolve target names (tests give a resolver of their own). */
  targetResolver?: TargetResolver;
  /** Case-level limits (default: the documented ones). */
  limits?: AdmissionLimits;
  /** Where the log lines go (default: stdout; tests read them). */
  logStream?: { write(line: string): void };
  /** The built web console served at `/` (PERFTEST_CONSOLE_DIR; default: where `npx pnpm start` builds it). */
  consoleDir?: string;
  /** The background rollup job's options; false: none (tests that roll up themselves). */
  rollupJob?: Omit<RollupJobOptions, 'log'> | false;
  /** Extra route groups (tests probe the router with them). */
  extraRoutes?: ReadonlyArray<Parameters<FastifyInstance['register']>[0]>;
}

/** Builds (but does not start) the server. */
export async function buildServer(options: ServerOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: { level: options.logLevel ?? 'info', ...(options.logStream === undefined ? {} : { stream: options.logStream }) },
    bodyLimit: BODY_LIMIT,
    genReqId: () => randomBytes(16).toString('hex'),
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: MAX_PARAM_LENGTH },
    frameworkErrors: frameworkErrorHandler,
    clientErrorHandler,
    logController: new LogController({
      disableRequestLogging: options.logLevel !== 'debug' && options.logLevel !== 'trace',
    }),
  }).withTypeProvider<TypeBoxTypeProvider>();
  app.decorate('db', options.db);
  app.decorate('runControl', options.runControl ?? NO_RUN_CONTROL);
  app.decorate('reportCache', new ReportCache(options.db));
  app.decorate('caseJson', new CaseJsonCache(options.db));
  const targetPolicy = options.targetPolicy ?? DEFAULT_TARGET_POLICY;
  const resolve = options.targetResolver;
  // compiled per debug run: the spec of a server on port 0 gains its port once it listens
  app.decorate('targetPolicy', () => TargetPolicy.compile(targetPolicy, { resolve }));
  const db = options.db;
  app.decorate('admission', new Admission(options.limits ?? DEFAULT_LIMITS, () => TargetPolicy.compile(targetPolicy), () => liveCapacity(db)));
  app.setValidatorCompiler(validatorCompiler);
  app.addHook('onRequest', async (request, reply) => {
    void reply.header('X-Request-Id', request.id);
  });
  installEarlyErrors(app);
  installJsonBody(app);
  installErrorHandlers(app);
  installAuthentication(app, options.db, options.now ?? Date.now);
  installConsole(app, options.consoleDir ?? DEFAULT_CONSOLE_DIR);
  installOpenApi(app);
  installMetrics(app, options.metricsAuth ?? 'credential', options.metricsToken);
  installPathIdCheck(app);
  for (const group of [...ROUTE_GROUPS, ...(options.extraRoutes ?? [])]) await app.register(group);
  if (options.rollupJob !== false) installRollupJob(app, options.rollupJob);
  await app.ready();
  return app;
}
