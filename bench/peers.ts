/**
 * Helpers of the side-by-side benchmarks (bench/http.ts, bench/scenario.ts): run a load generator
 * pinned to one core and measure the CPU time it used, read options, take medians.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const ROOT = path.resolve(fileURLToPath(new URL('..', import.meta.url)));

/** What one pinned command printed and the CPU time it and its children used. */
export interface Measured {
  stdout: string;
  stderr: string;
  code: number;
  /** User + system CPU seconds of the command (process tree), from bash's `times`. */
  cpuSeconds: number;
  wallSeconds: number;
}

/**
 * Runs `argv` pinned to `cpu` (taskset) under a bash that prints its children's CPU times when
 * the command ends, so that the figure covers the whole process tree, start-up included.
 */
export function runPinned(cpu: number, argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<Measured> {
  const quoted = argv.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const script = `taskset -c ${cpu} ${quoted}; code=$?; times >&3; exit $code`;
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn('bash', ['-c', script], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let times = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    (child.stdio[3] as NodeJS.ReadableStream).setEncoding('utf8');
    (child.stdio[3] as NodeJS.ReadableStream).on('data', (d: string) => (times += d));
    child.on('error', reject);
    child.on('close', (code) => {
      // `times` prints the shell's own times, then its children's: "0m1.234s 0m0.567s"
      const lines = times.trim().split('\n');
      const seconds = (text: string): number => {
        const m = /(\d+)m([\d.]+)s/.exec(text);
        return m ? Number(m[1]) * 60 + Number(m[2]) : 0;
      };
      const children = (lines[1] ?? '').trim().split(/\s+/);
      resolve({
        stdout,
        stderr,
        code: code ?? 1,
        cpuSeconds: seconds(children[0] ?? '') + seconds(children[1] ?? ''),
        wallSeconds: Number(process.hrtime.bigint() - started) / 1e9,
      });
    });
  });
}

/** `--name value` from the command line, a number, or `fallback`. */
export function numberOption(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  if (at < 0) return fallback;
  const value = Number(process.argv[at + 1]);
  if (!Number.isFinite(value) || value < 0) throw new Error(`--${name} must be a number >= 0`);
  return value;
}

/** `--name value` from the command line, or `fallback`. */
export function textOption(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? (process.argv[at + 1] ?? fallback) : fallback;
}

/** The median of some numbers (the lower middle of an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

/** Rounds to `digits` decimals. */
export function round(value: number, digits = 1): number {
  return Number(value.toFixed(digits));
}

/** The autocannon binary of the workspace (a devDependency of apps/api). */
export const AUTOCANNON = path.join(ROOT, 'apps/api/node_modules/.bin/autocannon');

/**
 * The engine's CLI as a user runs it; with `--cpu-prof DIR` on the bench's command line, under
 * node's CPU profiler writing into DIR.
 */
export function perftestCommand(): string[] {
  const profileDir = textOption('cpu-prof', '');
  if (profileDir === '') return ['npx', 'tsx', 'apps/api/src/cli/perftest.ts'];
  return ['node', '--cpu-prof', '--cpu-prof-dir', path.resolve(profileDir), '--import', 'tsx', 'apps/api/src/cli/perftest.ts'];
}
