import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_RUNS_AT_ONCE, defaultWorkerMemoryMb } from '@perftest/runner';
import { DEFAULT_LIMITS, LIMITS } from '../src/admission/limits.js';
import { ConfigError, DEFAULT_CONSOLE_DIR, loadConfig } from '../src/config.js';

describe('loadConfig', () => {
  it('has the documented defaults on an empty environment', () => {
    expect(loadConfig({})).toEqual({
      host: '127.0.0.1',
      port: 8080,
      databaseUrl: undefined,
      dataDir: './data',
      accessKey: undefined,
      secretKey: undefined,
      adminPassword: undefined,
      workers: availableParallelism(),
      workerMemoryMb: defaultWorkerMemoryMb(availableParallelism()),
      maxRunsAtOnce: DEFAULT_MAX_RUNS_AT_ONCE,
      logLevel: 'info',
      metricsAuth: 'credential',
      targetAllow: [],
      targetDeny: [],
      consoleDir: DEFAULT_CONSOLE_DIR,
      limits: DEFAULT_LIMITS,
    });
    expect(DEFAULT_MAX_RUNS_AT_ONCE).toBe(10);
    expect(DEFAULT_LIMITS.cardsPerCase).toBeGreaterThanOrEqual(10_000);
    // where `npx pnpm start` builds the console, wherever the server is started from
    expect(DEFAULT_CONSOLE_DIR).toBe(resolve(import.meta.dirname, '../../console/dist'));
  });

  it('treats empty strings as unset', () => {
    expect(loadConfig({ PORT: '', DATABASE_URL: '', LOG_LEVEL: '', PERFTEST_WORKERS: '' })).toMatchObject({
      port: 8080,
      databaseUrl: undefined,
      logLevel: 'info',
      workers: availableParallelism(),
    });
  });

  it('reads every variable', () => {
    const config = loadConfig({
      HOST: '0.0.0.0',
      PORT: '0',
      DATABASE_URL: 'postgresql://u:p@db:5432/perftest',
      PERFTEST_DATA_DIR: '/var/lib/perftest',
      PERFTEST_AK: 'AKEXAMPLE0001',
      PERFTEST_SK: 'secret-example-1',
      PERFTEST_ADMIN_PASSWORD: 'admin-pass-1',
      PERFTEST_WORKERS: '0',
      PERFTEST_WORKER_MEMORY_MB: '2048',
      PERFTEST_MAX_RUNS_AT_ONCE: '3',
      LOG_LEVEL: 'warn',
      PERFTEST_METRICS_AUTH: 'none',
      PERFTEST_TARGET_ALLOW: '10.1.2.3,[::1]:9000 sut.example.com',
      PERFTEST_TARGET_DENY: '127.0.0.0/8, *.corp.example, *:22',
      PERFTEST_CONSOLE_DIR: '/srv/perftest/console',
      PERFTEST_MAX_CARDS: '20000',
      PERFTEST_MAX_NESTING: '3',
      PERFTEST_MAX_PACKET_BYTES: '4096',
      PERFTEST_MAX_BODY_BYTES: '2048',
      PERFTEST_MAX_VARIABLE_BYTES: '65536',
      PERFTEST_MAX_STAGES: '5',
      PERFTEST_MAX_RUN_SECONDS: '3600',
      PERFTEST_MAX_STAGE_USERS: '500',
      PERFTEST_MAX_RUN_USERS: '1000',
    });
    expect(config).toEqual({
      host: '0.0.0.0',
      port: 0,
      databaseUrl: 'postgresql://u:p@db:5432/perftest',
      dataDir: '/var/lib/perftest',
      accessKey: 'AKEXAMPLE0001',
      secretKey: 'secret-example-1',
      adminPassword: 'admin-pass-1',
      workers: 0,
      workerMemoryMb: 2048,
      maxRunsAtOnce: 3,
      logLevel: 'warn',
      metricsAuth: 'none',
      targetAllow: ['10.1.2.3', '[::1]:9000', 'sut.example.com'],
      targetDeny: ['127.0.0.0/8', '*.corp.example', '*:22'],
      consoleDir: '/srv/perftest/console',
      limits: {
        cardsPerCase: 20000,
        nesting: 3,
        packetBytes: 4096,
        bodyBytes: 2048,
        variableBytes: 65536,
        stagesPerCase: 5,
        runSeconds: 3600,
        usersPerStage: 500,
        usersPerRun: 1000,
      },
    });
    expect(loadConfig({ PORT: '65535', PERFTEST_WORKERS: '1024' })).toMatchObject({ port: 65535, workers: 1024 });
    // a relative console folder is taken from the working directory, once, at start-up
    expect(loadConfig({ PERFTEST_CONSOLE_DIR: 'site/console' }).consoleDir).toBe(join(process.cwd(), 'site/console'));
  });

  const bad: Array<[string, NodeJS.ProcessEnv, RegExp]> = [
    ['PORT=abc', { PORT: 'abc' }, /^PORT must be an integer from 0 to 65535, got "abc"$/],
    ['PORT=70000', { PORT: '70000' }, /^PORT must be an integer from 0 to 65535, got "70000"$/],
    ['PORT=8080.5', { PORT: '8080.5' }, /^PORT must be an integer/],
    ['LOG_LEVEL=loud', { LOG_LEVEL: 'loud' }, /^LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got "loud"$/],
    ['PERFTEST_AK without PERFTEST_SK', { PERFTEST_AK: 'AKEXAMPLE0001' }, /^PERFTEST_AK and PERFTEST_SK must be set together$/],
    ['PERFTEST_SK without PERFTEST_AK', { PERFTEST_SK: 'secret-example-1' }, /^PERFTEST_AK and PERFTEST_SK must be set together$/],
    ['PERFTEST_AK too short', { PERFTEST_AK: 'AK1', PERFTEST_SK: 'secret-example-1' }, /^PERFTEST_AK must be 8-128/],
    ['PERFTEST_SK too short', { PERFTEST_AK: 'AKEXAMPLE0001', PERFTEST_SK: 'short' }, /^PERFTEST_SK must be at least 8/],
    ['PERFTEST_ADMIN_PASSWORD too short', { PERFTEST_ADMIN_PASSWORD: 'pw' }, /^PERFTEST_ADMIN_PASSWORD must be at least 8/],
    ['DATABASE_URL=mysql://...', { DATABASE_URL: 'mysql://root@127.0.0.1:3306/perftest' }, /^DATABASE_URL must be a postgres:\/\/ or postgresql:\/\/ URL$/],
    ['PERFTEST_WORKERS=-1', { PERFTEST_WORKERS: '-1' }, /^PERFTEST_WORKERS must be an integer from 0 to 1024, got "-1"$/],
    ['PERFTEST_METRICS_AUTH=open', { PERFTEST_METRICS_AUTH: 'open' }, /^PERFTEST_METRICS_AUTH must be credential, token or none, got "open"$/],
    ['token mode without a token', { PERFTEST_METRICS_AUTH: 'token' }, /^PERFTEST_METRICS_TOKEN must be at least 16 characters/],
    ['token mode with a short token', { PERFTEST_METRICS_AUTH: 'token', PERFTEST_METRICS_TOKEN: 'short' }, /^PERFTEST_METRICS_TOKEN must be at least 16/],
    ['a token in another mode', { PERFTEST_METRICS_TOKEN: 'x'.repeat(20) }, /^PERFTEST_METRICS_TOKEN is read only with PERFTEST_METRICS_AUTH=token$/],
    ['PERFTEST_WORKERS=2000', { PERFTEST_WORKERS: '2000' }, /^PERFTEST_WORKERS must be an integer from 0 to 1024, got "2000"$/],
    ['PERFTEST_MAX_STAGE_USERS=0', { PERFTEST_MAX_STAGE_USERS: '0' }, /^PERFTEST_MAX_STAGE_USERS must be an integer from 1 to 10000000, got "0"$/],
    ['PERFTEST_WORKER_MEMORY_MB=10', { PERFTEST_WORKER_MEMORY_MB: '10' }, /^PERFTEST_WORKER_MEMORY_MB must be an integer from 64 to 16777216, got "10"$/],
    ['PERFTEST_MAX_RUNS_AT_ONCE=0', { PERFTEST_MAX_RUNS_AT_ONCE: '0' }, /^PERFTEST_MAX_RUNS_AT_ONCE must be an integer from 1 to 10000, got "0"$/],
    ['PERFTEST_MAX_NESTING=11', { PERFTEST_MAX_NESTING: '11' }, /^PERFTEST_MAX_NESTING must be an integer from 0 to 10, got "11"$/],
    ['PERFTEST_TARGET_DENY=10.0.0.0/33', { PERFTEST_TARGET_DENY: '10.0.0.0/33' }, /^PERFTEST_TARGET_DENY: entry "10\.0\.0\.0\/33" is not a valid CIDR range/],
    ['PERFTEST_TARGET_ALLOW=host:99999', { PERFTEST_TARGET_ALLOW: 'ok.example host:99999' }, /^PERFTEST_TARGET_ALLOW: entry "host:99999" has port "99999"/],
  ];

  it.each(bad)('rejects %s with a message naming the variable', (_label, env, message) => {
    let thrown: unknown;
    try {
      loadConfig(env);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as Error).message).toMatch(message);
  });
});

describe('README configuration table', () => {
  const root = new URL('../../../', import.meta.url);
  const readme = readFileSync(new URL('README.md', root), 'utf8');
  const source = readFileSync(new URL('apps/api/src/config.ts', root), 'utf8');

  it('lists exactly the variables loadConfig reads', () => {
    const documented = [...readme.matchAll(/^\| (`[A-Z_]+`(?:, `[A-Z_]+`)*) \|/gm)].flatMap((m) => m[1].split(', ').map((v) => v.replace(/`/g, '')));
    const read = [...source.matchAll(/\w+\(env, '([A-Z_]+)'/g)].map((m) => m[1]);
    expect(new Set(documented)).toEqual(new Set(read));
    expect(documented).toHaveLength(new Set(documented).size);
  });

  it('states the defaults loadConfig applies', () => {
    const defaults = loadConfig({});
    const row = (name: string): string => readme.split('\n').find((l) => l.startsWith(`| \`${name}\``)) ?? '';
    expect(row('HOST')).toContain(`\`${defaults.host}\``);
    expect(row('PORT')).toContain(`\`${defaults.port}\``);
    expect(row('PERFTEST_DATA_DIR')).toContain(`\`${defaults.dataDir}\``);
    expect(row('LOG_LEVEL')).toContain(`\`${defaults.logLevel}\``);
    expect(row('PERFTEST_WORKERS')).toContain('one per core');
    expect(row('PERFTEST_METRICS_AUTH')).toContain(`\`${defaults.metricsAuth}\``);
    expect(row('PERFTEST_CONSOLE_DIR')).toContain('`apps/console/dist`');
    expect(defaults.consoleDir.endsWith(join('apps', 'console', 'dist'))).toBe(true);
    for (const { variable, fallback } of Object.values(LIMITS)) expect(row(variable), variable).toContain(`\`${fallback.toLocaleString('en-US')}\``);
  });

  it('runs the server and the CLI from the repository root, so that both open the same ./data', () => {
    const scripts = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')).scripts as Record<string, string>;
    // The console and the server's bundle are built (when their sources changed) first; the server
    // itself runs from the root.
    expect(scripts.start).toMatch(/&& tsx apps\/api\/src\/bundle\/build-cli\.ts && node apps\/api\/dist\/main\.js$/);
    expect(scripts.perftest).toBe('tsx apps/api/src/cli/perftest.ts');
  });
});
