/**
 * The worker's configuration, read once from the environment at start-up and validated; nothing else
 * in the worker reads process.env. A bad value stops start-up with a message naming the variable.
 */
import { availableParallelism } from 'node:os';
import { ruleListProblem, splitRuleList } from '@perftest/engine';
import { defaultWorkerMemoryMb, MAX_WORKER_MEMORY_MB, MIN_WORKER_MEMORY_MB, type LogLevelName } from '@perftest/runner';

/** Validated configuration. */
export interface WorkerConfig {
  /** The Postgres database the API uses (a separate worker cannot share the API's PGlite). */
  databaseUrl: string;
  /** Engine threads each share runs on (default: one per core). */
  threads: number;
  /** Memory budget in MB: the users it advertises it can hold (docs/run-lifecycle.md, "Queue and capacity"). */
  memoryMb: number;
  logLevel: LogLevelName;
  /** Port of this worker's Prometheus metrics (undefined: not served), and its address. */
  metricsPort: number | undefined;
  metricsHost: string;
  /** When set, the metrics port asks for `Authorization: Bearer <token>` (PERFTEST_METRICS_TOKEN). */
  metricsToken: string | undefined;
  /** Target policy rules, as the server's (docs/security.md, "Target policy"). */
  targetAllow: string[];
  targetDeny: string[];
}

/** A configuration error; its message names the variable. */
export class WorkerConfigError extends Error {
  override readonly name = 'WorkerConfigError';
}

const LOG_LEVELS: readonly LogLevelName[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** Reads and validates the configuration from `env` (process.env by default). */
export function loadWorkerConfig(env: NodeJS.ProcessEnv = process.env): WorkerConfig {
  const databaseUrl = env.DATABASE_URL ?? '';
  if (databaseUrl === '') {
    throw new WorkerConfigError(
      'DATABASE_URL is required: a separate worker joins the API through its Postgres database (the embedded PGlite server runs its own in-process worker)',
    );
  }
  if (!/^postgres(ql)?:\/\//.test(databaseUrl)) throw new WorkerConfigError('DATABASE_URL must be a postgres:// or postgresql:// URL');
  const rawThreads = env.PERFTEST_WORKER_THREADS ?? '';
  let threads = availableParallelism();
  if (rawThreads !== '') {
    threads = Number(rawThreads);
    if (!/^\d+$/.test(rawThreads.trim()) || threads < 1 || threads > 1024) {
      throw new WorkerConfigError(`PERFTEST_WORKER_THREADS must be an integer from 1 to 1024, got "${rawThreads}"`);
    }
  }
  const rawMemory = env.PERFTEST_WORKER_MEMORY_MB ?? '';
  let memoryMb = defaultWorkerMemoryMb(threads);
  if (rawMemory !== '') {
    memoryMb = Number(rawMemory);
    if (!/^\d+$/.test(rawMemory.trim()) || memoryMb < MIN_WORKER_MEMORY_MB || memoryMb > MAX_WORKER_MEMORY_MB) {
      throw new WorkerConfigError(`PERFTEST_WORKER_MEMORY_MB must be an integer from ${MIN_WORKER_MEMORY_MB} to ${MAX_WORKER_MEMORY_MB}, got "${rawMemory}"`);
    }
  }
  const logLevel = (env.LOG_LEVEL || 'info') as LogLevelName;
  if (!LOG_LEVELS.includes(logLevel)) throw new WorkerConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`);
  const rawPort = env.PERFTEST_METRICS_PORT ?? '';
  let metricsPort: number | undefined;
  if (rawPort !== '') {
    metricsPort = Number(rawPort);
    if (!/^\d+$/.test(rawPort.trim()) || metricsPort < 1 || metricsPort > 65535) {
      throw new WorkerConfigError(`PERFTEST_METRICS_PORT must be an integer from 1 to 65535, got "${rawPort}"`);
    }
  }
  const metricsHost = env.PERFTEST_METRICS_HOST || '127.0.0.1';
  const metricsToken = env.PERFTEST_METRICS_TOKEN || undefined;
  if (metricsToken !== undefined && metricsToken.length < 16) {
    throw new WorkerConfigError('PERFTEST_METRICS_TOKEN must be at least 16 characters');
  }
  const rules = (name: string): string[] => {
    const entries = splitRuleList(env[name]);
    const problem = ruleListProblem(entries);
    if (problem !== undefined) throw new WorkerConfigError(`${name}: ${problem}`);
    return entries;
  };
  return {
    databaseUrl,
    threads,
    memoryMb,
    logLevel,
    metricsPort,
    metricsHost,
    metricsToken,
    targetAllow: rules('PERFTEST_TARGET_ALLOW'),
    targetDeny: rules('PERFTEST_TARGET_DENY'),
  };
}
