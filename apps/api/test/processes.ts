/**
 * Test harness for the real executables: the server (`src/main.ts`) and the CLI (`src/cli/perftest.ts`)
 * run as child processes through tsx, with a clean environment (no DATABASE_URL or PERFTEST_* of the
 * test run leaks in unless given); or, with `{ bundle: true }`, the server as `npx pnpm start` runs it
 * (`node apps/api/dist/main.js`, src/bundle/server-build.ts, built first when stale).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ensureBuilt } from '@perftest/report/build';
import { SERVER_BUNDLE_MAIN, serverBuild } from '../src/bundle/server-build.js';

/** The repository root (where tsx resolves from). */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));
const CLI = fileURLToPath(new URL('../src/cli/perftest.ts', import.meta.url));

const OWN_VARIABLES = /^(DATABASE_URL|PERFTEST_.*|PORT|HOST|LOG_LEVEL)$/;

/** process.env without the variables the server reads, plus `env`. */
export function cleanEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!OWN_VARIABLES.test(k)) base[k] = v;
  return { ...base, ...env };
}

/** What a finished process printed and how it ended. */
export interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

function collect(child: ChildProcess): { out: () => string; err: () => string; done: Promise<Finished> } {
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const done = new Promise<Finished>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
  return { out: () => stdout, err: () => stderr, done };
}

/** Runs the CLI to completion. */
export function runCli(args: string[], env: Record<string, string>): Promise<Finished> {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { cwd: REPO_ROOT, env: cleanEnv(env) });
  return collect(child).done;
}

/** A running server process. */
export interface ServerProcess {
  child: ChildProcess;
  baseUrl: string;
  /** Everything printed on stdout up to "listening". */
  banner: string;
  /** Sends SIGTERM and waits for the exit. */
  stop(): Promise<Finished>;
}

/**
 * Starts the server; resolves once it prints its listening URL, rejects if it exits first. A first
 * start on a fresh PGlite directory runs PGlite's initdb (6-8 s of CPU in a child process) after the
 * server's own load: 15-18 s on this 2-core machine while other test files run, hence the minute.
 */
export async function startServer(env: Record<string, string>, timeoutMs = 60_000, options: { bundle?: boolean } = {}): Promise<ServerProcess> {
  if (options.bundle) await ensureBuilt(serverBuild, 'server');
  const child = spawn(process.execPath, options.bundle ? [SERVER_BUNDLE_MAIN] : ['--import', 'tsx', MAIN], { cwd: REPO_ROOT, env: cleanEnv(env) });
  const io = collect(child);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not start in ${timeoutMs} ms:\n${io.out()}\n${io.err()}`));
    }, timeoutMs);
    const onData = (): void => {
      const match = /perftest api listening on (http:\/\/\S+)/.exec(io.out());
      if (!match) return;
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      resolve({
        child,
        baseUrl: match[1],
        banner: io.out(),
        stop: () => {
          child.kill('SIGTERM');
          return io.done;
        },
      });
    };
    child.stdout?.on('data', onData);
    void io.done.then((finished) => {
      clearTimeout(timer);
      reject(Object.assign(new Error(`server exited with ${finished.code}:\n${finished.stderr}`), finished));
    });
  });
}

/** Runs the server expecting it to exit by itself (a configuration error). */
export function runServerToExit(env: Record<string, string>): Promise<Finished> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], { cwd: REPO_ROOT, env: cleanEnv(env) });
  return collect(child).done;
}
