import { describe, expect, it } from 'vitest';
import { defaultWorkerMemoryMb } from '@perftest/runner';
import { loadWorkerConfig, WorkerConfigError } from './config.js';

describe('worker configuration', () => {
  it('requires DATABASE_URL and names it', () => {
    expect(() => loadWorkerConfig({})).toThrow(WorkerConfigError);
    expect(() => loadWorkerConfig({})).toThrow(/DATABASE_URL is required/);
    expect(() => loadWorkerConfig({ DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL must be a postgres/);
  });

  it('reads threads and log level, with defaults', () => {
    const config = loadWorkerConfig({ DATABASE_URL: 'postgres://u@h/db', PERFTEST_WORKER_THREADS: '3', LOG_LEVEL: 'debug' });
    expect(config).toEqual({ databaseUrl: 'postgres://u@h/db', threads: 3, memoryMb: defaultWorkerMemoryMb(3), logLevel: 'debug', metricsPort: undefined, metricsHost: '127.0.0.1', targetAllow: [], targetDeny: [] });
    const defaults = loadWorkerConfig({ DATABASE_URL: 'postgres://u@h/db' });
    expect(defaults.threads).toBeGreaterThanOrEqual(1);
    expect(defaults.logLevel).toBe('info');
    expect(loadWorkerConfig({ DATABASE_URL: 'postgres://u@h/db', PERFTEST_WORKER_MEMORY_MB: '1024' }).memoryMb).toBe(1024);
  });

  it('refuses bad threads and log levels with the variable named', () => {
    for (const bad of ['0', '-1', '1.5', 'x', '2000']) {
      expect(() => loadWorkerConfig({ DATABASE_URL: 'postgres://u@h/db', PERFTEST_WORKER_THREADS: bad })).toThrow(/PERFTEST_WORKER_THREADS/);
    }
    expect(() => loadWorkerConfig({ DATABASE_URL: 'postgres://u@h/db', LOG_LEVEL: 'loud' })).toThrow(/LOG_LEVEL/);
    for (const bad of ['0', '63', 'x', '1.5']) {
      expect(() => loadWorkerConfig({ DATABASE_URL: 'postgres://u@h/db', PERFTEST_WORKER_MEMORY_MB: bad })).toThrow(/^PERFTEST_WORKER_MEMORY_MB must be an integer from 64 to 16777216/);
    }
    for (const bad of ['0', '65536', 'x', '80.5']) {
      expect(() => loadWorkerConfig({ DATABASE_URL: 'postgres://u@h/db', PERFTEST_METRICS_PORT: bad })).toThrow(/PERFTEST_METRICS_PORT/);
    }
    expect(loadWorkerConfig({ DATABASE_URL: 'postgres://u@h/db', PERFTEST_METRICS_PORT: '9464', PERFTEST_METRICS_HOST: '0.0.0.0' })).toMatchObject({ metricsPort: 9464, metricsHost: '0.0.0.0', metricsToken: undefined });
    expect(() => loadWorkerConfig({ DATABASE_URL: 'postgres://u@h/db', PERFTEST_METRICS_TOKEN: 'short' })).toThrow(/^PERFTEST_METRICS_TOKEN must be at least 16 characters$/);
    expect(loadWorkerConfig({ DATABASE_URL: 'postgres://u@h/db', PERFTEST_METRICS_TOKEN: 't'.repeat(16) }).metricsToken).toBe('t'.repeat(16));
  });

  it('reads the target policy lists and names a bad entry', () => {
    const config = loadWorkerConfig({ DATABASE_URL: 'postgres://u@h/db', PERFTEST_TARGET_ALLOW: '10.1.2.3, sut.example.com', PERFTEST_TARGET_DENY: '10.0.0.0/8 api:8080' });
    expect([config.targetAllow, config.targetDeny]).toEqual([['10.1.2.3', 'sut.example.com'], ['10.0.0.0/8', 'api:8080']]);
    expect(() => loadWorkerConfig({ DATABASE_URL: 'postgres://u@h/db', PERFTEST_TARGET_DENY: '10.0.0.0/40' })).toThrow(
      /^PERFTEST_TARGET_DENY: entry "10.0.0.0\/40" is not a valid CIDR range$/,
    );
  });
});
