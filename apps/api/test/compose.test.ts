import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadWorkerConfig } from '../../worker/src/config.js';
import { loadConfig } from '../src/config.js';
import { REPO_ROOT } from './processes.js';

/**
 * Docker cannot run here, so the compose file and the Dockerfile are checked by reading them: the
 * services, their wiring and health checks, and that the image installs from the lockfile and starts
 * the files that exist.
 */
const read = (path: string): string => readFileSync(join(REPO_ROOT, path), 'utf8');
const compose = parse(read('docker-compose.yml')) as { services: Record<string, any>; volumes?: Record<string, unknown> };
const dockerfile = read('Dockerfile');
/** Instructions of the Dockerfile, continuation lines joined, comments dropped. */
const instructions = dockerfile
  .replace(/\\\n/g, ' ')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l !== '' && !l.startsWith('#'));

/** A service's environment as a plain object, whether written as a map or a list. */
function environment(service: { environment?: Record<string, unknown> | string[] }): Record<string, string> {
  const env = service.environment ?? {};
  if (Array.isArray(env)) return Object.fromEntries(env.map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]));
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, String(v)]));
}

/** What a process sees when no `${X:-default}` variable is set in the shell: the defaults. */
function unset(env: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v.replace(/\$\{\w+:-([^}]*)\}/g, '$1')]));
}

/** The workspace packages' manifests on disk (apps/* and packages/*). */
function workspaceManifests(): string[] {
  return ['apps', 'packages'].flatMap((dir) =>
    readdirSync(join(REPO_ROOT, dir))
      .map((name) => `${dir}/${name}/package.json`)
      .filter((p) => existsSync(join(REPO_ROOT, p))),
  );
}

describe('docker-compose.yml', () => {
  it('has exactly the postgres, api and worker services', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['api', 'postgres', 'worker']);
  });

  it('runs postgres 16 on a named volume with a pg_isready health check', () => {
    const pg = compose.services.postgres;
    expect(pg.image).toBe('postgres:16');
    expect(pg.volumes).toContain('pgdata:/var/lib/postgresql/data');
    expect(Object.keys(compose.volumes ?? {})).toContain('pgdata');
    expect(pg.healthcheck.test.join(' ')).toContain('pg_isready');
    const env = environment(pg);
    expect(env.POSTGRES_USER && env.POSTGRES_PASSWORD && env.POSTGRES_DB).toBeTruthy();
  });

  it('points api and worker at that postgres, with credentials that match it', () => {
    const pg = environment(compose.services.postgres);
    for (const name of ['api', 'worker']) {
      const url = new URL(environment(compose.services[name]).DATABASE_URL);
      expect(url.protocol).toBe('postgres:');
      expect(url.hostname).toBe('postgres');
      expect(url.port).toBe('5432');
      expect(decodeURIComponent(url.username)).toBe(pg.POSTGRES_USER);
      expect(decodeURIComponent(url.password)).toBe(pg.POSTGRES_PASSWORD);
      expect(url.pathname).toBe(`/${pg.POSTGRES_DB}`);
      expect(compose.services[name].depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
    }
  });

  it('builds the api from the repo, listening on 0.0.0.0:8080 published, with no in-process worker', () => {
    const api = compose.services.api;
    expect(api.build === '.' || api.build?.context === '.').toBe(true);
    expect(api.ports).toEqual(['8080:8080']);
    const env = environment(api);
    expect(env).toMatchObject({ HOST: '0.0.0.0', PORT: '8080', PERFTEST_WORKERS: '0' });
    // The values the server will see are valid for its configuration.
    expect(loadConfig(unset(env))).toMatchObject({ host: '0.0.0.0', port: 8080, workers: 0, databaseUrl: env.DATABASE_URL });
  });

  it('health-checks the api on GET /health of the port it listens on', () => {
    const test = compose.services.api.healthcheck.test as string[];
    expect(test[0]).toBe('CMD');
    expect(test.join(' ')).toContain('http://127.0.0.1:8080/health');
    // node:20-slim has no curl or wget: the check must run with node.
    expect(test[1]).toBe('node');
  });

  it('runs a scalable worker service from the same image', () => {
    const worker = compose.services.worker;
    expect(worker.image).toBe(compose.services.api.image);
    expect(worker.container_name).toBeUndefined();
    expect(worker.ports).toBeUndefined();
    expect(worker.deploy.replicas).toBeGreaterThanOrEqual(1);
    // The command is the worker package's start script, run by node directly.
    const start = JSON.parse(read('apps/worker/package.json')).scripts.start as string;
    expect(start).toBe('tsx src/main.ts');
    expect(worker.command).toEqual(['node', '--import', 'tsx', 'apps/worker/src/main.ts']);
    expect(existsSync(join(REPO_ROOT, worker.command[3]))).toBe(true);
    // The worker accepts its environment (unset `${X:-}` reads as empty).
    // It denies the API's address (docs/security.md, "Target policy").
    expect(loadWorkerConfig(unset(environment(worker)))).toMatchObject({ databaseUrl: environment(worker).DATABASE_URL, logLevel: 'info', targetDeny: ['api:8080'] });
  });
});

describe('Dockerfile', () => {
  it('builds on node:20-slim with the pnpm version the repo pins', () => {
    expect(instructions[0]).toBe('FROM node:20-slim');
    const pinned = (JSON.parse(read('package.json')).packageManager as string).replace(/^pnpm@/, '');
    expect(dockerfile).toContain(`pnpm@${pinned}`);
  });

  it('copies the lockfile and every workspace manifest before installing, sources after', () => {
    const install = instructions.findIndex((l) => /^RUN .*pnpm install --frozen-lockfile/.test(l));
    expect(install).toBeGreaterThan(0);
    const copiedBefore = instructions
      .slice(0, install)
      .filter((l) => l.startsWith('COPY '))
      .flatMap((l) => {
        const parts = l.split(/\s+/).slice(1);
        const dest = parts.pop() as string;
        return parts.map((src) => (dest.endsWith('/') && dest !== './' ? `${dest}${src.split('/').pop()}` : src));
      });
    for (const file of ['package.json', 'pnpm-lock.yaml', 'pnpm-workspace.yaml', '.npmrc', ...workspaceManifests()]) {
      expect(copiedBefore, `${file} is copied before pnpm install`).toContain(file);
    }
    expect(copiedBefore).not.toContain('.');
    const sources = instructions.findIndex((l) => l === 'COPY . .');
    expect(sources).toBeGreaterThan(install);
  });

  it('starts the api from its bundle by default, built in the image after the sources are copied', () => {
    const cmd = instructions.find((l) => l.startsWith('CMD '));
    expect(cmd).toBeDefined();
    const args = JSON.parse(cmd!.slice(4)) as string[];
    expect(args).toEqual(['node', 'apps/api/dist/main.js']);
    const build = instructions.findIndex((l) => l === 'RUN node --import tsx apps/api/src/bundle/build-cli.ts');
    expect(build).toBeGreaterThan(instructions.findIndex((l) => l === 'COPY . .'));
    expect(existsSync(join(REPO_ROOT, 'apps/api/src/bundle/build-cli.ts'))).toBe(true);
    expect(instructions.some((l) => l.startsWith('ENTRYPOINT'))).toBe(false);
    expect(JSON.parse(read('apps/api/package.json')).scripts.start).toBe('tsx src/main.ts');
  });

  it('keeps node_modules and local data out of the build context', () => {
    const ignored = read('.dockerignore').split('\n').map((l) => l.trim());
    expect(ignored).toEqual(expect.arrayContaining(['**/node_modules', 'data', '.git']));
  });
});
