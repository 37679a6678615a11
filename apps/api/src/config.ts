/**
 * The server's configuration, read once from the environment at start-up and validated. Nothing else
 * in the server reads process.env. A bad value stops start-up with a message naming the variable.
 */
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ruleListProblem, splitRuleList } from '@perftest/engine';
import { DEFAULT_MAX_RUNS_AT_ONCE, defaultWorkerMemoryMb, MAX_RUNS_AT_ONCE_LIMIT, MAX_WORKER_MEMORY_MB, MIN_WORKER_MEMORY_MB } from '@perftest/runner';
import { LIMITS, type AdmissionLimits } from './admission/limits.js';

/** Validated configuration. */
export interface Config {
  host: string;
  port: number;
  /** Postgres URL; undefined means the embedded PGlite database in `dataDir`. */
  databaseUrl: string | undefined;
  dataDir: string;
  /** Bootstrap admin access key and secret (generated and persisted on first start when unset). */
  accessKey: string | undefined;
  secretKey: string | undefined;
  /** Password of the bootstrap admin for tokens (generated and printed once when unset). */
  adminPassword: string | undefined;
  /** Threads of the in-process worker (default: one per core); 0 runs no worker in the server. */
  workers: number;
  /** Memory budget of the in-process worker in MB: the users it advertises (docs/run-lifecycle.md, "Queue and capacity"). */
  workerMemoryMb: number;
  /** Task runs dispatched at once; later starts wait queued (recorded for every reconciling process). */
  maxRunsAtOnce: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Who may scrape GET /metrics: an account's credential, the scrape token, or anyone. */
  metricsAuth: 'credential' | 'token' | 'none';
  /** The bearer token of `metricsAuth` 'token' (PERFTEST_METRICS_TOKEN). */
  metricsToken: string | undefined;
  /** Target policy rules (docs/security.md, "Target policy"): allowed and denied targets. */
  targetAllow: string[];
  targetDeny: string[];
  /** Case-level limits (docs/security.md, "Limits"). */
  limits: AdmissionLimits;
  /** The built web console served at `/` (index.html and assets/), an absolute path. */
  consoleDir: string;
}

/** A configuration error; its message names the variable. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/**
 * Where `npx pnpm start` builds the web console: apps/console/dist of this repository, found from
 * this file's place rather than the working directory. The API reads the built files; it does not
 * import the console app.
 */
export const DEFAULT_CONSOLE_DIR = fileURLToPath(new URL('../../console/dist', import.meta.url));

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

function optional(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const raw = env[name];
  return raw === undefined || raw === '' ? undefined : raw;
}

/** A list of target rules (comma- or space-separated), each checked. */
function targetRules(env: NodeJS.ProcessEnv, name: string): string[] {
  const entries = splitRuleList(optional(env, name));
  const problem = ruleListProblem(entries);
  if (problem !== undefined) throw new ConfigError(`${name}: ${problem} (rules are addresses, CIDR ranges, host names, *.domain or *, each optionally with :port)`);
  return entries;
}

/** Reads and validates the configuration from `env` (process.env by default). */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const databaseUrl = optional(env, 'DATABASE_URL');
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError('DATABASE_URL must be a postgres:// or postgresql:// URL');
  }
  const accessKey = optional(env, 'PERFTEST_AK');
  const secretKey = optional(env, 'PERFTEST_SK');
  if ((accessKey === undefined) !== (secretKey === undefined)) {
    throw new ConfigError('PERFTEST_AK and PERFTEST_SK must be set together');
  }
  if (accessKey !== undefined && !/^[A-Za-z0-9_-]{8,128}$/.test(accessKey)) {
    throw new ConfigError('PERFTEST_AK must be 8-128 letters, digits, "_" or "-"');
  }
  if (secretKey !== undefined && secretKey.length < 8) {
    throw new ConfigError('PERFTEST_SK must be at least 8 characters');
  }
  const adminPassword = optional(env, 'PERFTEST_ADMIN_PASSWORD');
  if (adminPassword !== undefined && adminPassword.length < 8) {
    throw new ConfigError('PERFTEST_ADMIN_PASSWORD must be at least 8 characters');
  }
  const logLevel = (optional(env, 'LOG_LEVEL') ?? 'info') as Config['logLevel'];
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`);
  }
  const metricsAuth = (optional(env, 'PERFTEST_METRICS_AUTH') ?? 'credential') as Config['metricsAuth'];
  if (metricsAuth !== 'credential' && metricsAuth !== 'token' && metricsAuth !== 'none') {
    throw new ConfigError(`PERFTEST_METRICS_AUTH must be credential, token or none, got "${metricsAuth}"`);
  }
  const metricsToken = optional(env, 'PERFTEST_METRICS_TOKEN');
  if (metricsAuth === 'token' && (metricsToken === undefined || metricsToken.length < 16)) {
    throw new ConfigError('PERFTEST_METRICS_TOKEN must be at least 16 characters with PERFTEST_METRICS_AUTH=token');
  }
  if (metricsAuth !== 'token' && metricsToken !== undefined) {
    throw new ConfigError('PERFTEST_METRICS_TOKEN is read only with PERFTEST_METRICS_AUTH=token');
  }
  const workers = integer(env, 'PERFTEST_WORKERS', availableParallelism(), 0, 1024);
  return {
    host: optional(env, 'HOST') ?? '127.0.0.1',
    port: integer(env, 'PORT', 8080, 0, 65535),
    databaseUrl,
    dataDir: optional(env, 'PERFTEST_DATA_DIR') ?? './data',
    accessKey,
    secretKey,
    adminPassword,
    workers,
    workerMemoryMb: integer(env, 'PERFTEST_WORKER_MEMORY_MB', defaultWorkerMemoryMb(Math.max(1, workers)), MIN_WORKER_MEMORY_MB, MAX_WORKER_MEMORY_MB),
    maxRunsAtOnce: integer(env, 'PERFTEST_MAX_RUNS_AT_ONCE', DEFAULT_MAX_RUNS_AT_ONCE, 1, MAX_RUNS_AT_ONCE_LIMIT),
    logLevel,
    metricsAuth,
    metricsToken,
    targetAllow: targetRules(env, 'PERFTEST_TARGET_ALLOW'),
    targetDeny: targetRules(env, 'PERFTEST_TARGET_DENY'),
    consoleDir: resolve(optional(env, 'PERFTEST_CONSOLE_DIR') ?? DEFAULT_CONSOLE_DIR),
    limits: {
      cardsPerCase: integer(env, 'PERFTEST_MAX_CARDS', LIMITS.cardsPerCase.fallback, 1, LIMITS.cardsPerCase.max),
      nesting: integer(env, 'PERFTEST_MAX_NESTING', LIMITS.nesting.fallback, 0, LIMITS.nesting.max),
      packetBytes: integer(env, 'PERFTEST_MAX_PACKET_BYTES', LIMITS.packetBytes.fallback, 1024, LIMITS.packetBytes.max),
      bodyBytes: integer(env, 'PERFTEST_MAX_BODY_BYTES', LIMITS.bodyBytes.fallback, 0, LIMITS.bodyBytes.max),
      variableBytes: integer(env, 'PERFTEST_MAX_VARIABLE_BYTES', LIMITS.variableBytes.fallback, 1024, LIMITS.variableBytes.max),
      stagesPerCase: integer(env, 'PERFTEST_MAX_STAGES', LIMITS.stagesPerCase.fallback, 1, LIMITS.stagesPerCase.max),
      runSeconds: integer(env, 'PERFTEST_MAX_RUN_SECONDS', LIMITS.runSeconds.fallback, 1, LIMITS.runSeconds.max),
      usersPerStage: integer(env, 'PERFTEST_MAX_STAGE_USERS', LIMITS.usersPerStage.fallback, 1, LIMITS.usersPerStage.max),
      usersPerRun: integer(env, 'PERFTEST_MAX_RUN_USERS', LIMITS.usersPerRun.fallback, 1, LIMITS.usersPerRun.max),
    },
  };
}
