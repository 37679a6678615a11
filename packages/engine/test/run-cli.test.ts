/**
 * The `perftest` command as a user runs it (node + tsx on apps/api/src/cli/perftest.ts, in a child
 * process) against a local counting server.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { getCase, startCountingServer, type CountingServer } from './run-helpers.js';

const root = path.resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');
const tsxCli = createRequire(import.meta.url).resolve('tsx/cli');

/** Runs `perftest ARGS` from another directory; resolves its exit code and output. */
function perftest(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [tsxCli, path.join(root, 'apps/api/src/cli/perftest.ts'), ...args],
      { cwd: tmpdir(), timeout: 30_000 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

let server: CountingServer;
let dir: string;
beforeAll(async () => {
  server = await startCountingServer();
  dir = await mkdtemp(path.join(tmpdir(), 'perftest-cli-'));
});
afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});
beforeEach(() => {
  server.served = 0;
});

describe('perftest CLI', () => {
  it('run --json prints one JSON line whose requests equal what the server served', async () => {
    const file = path.join(dir, 'case.json');
    const kase = getCase(server.url, [
      { pressure_mode: 0, operate_mode: 0, time: 1, issue_num: 4 },
      { pressure_mode: 1, operate_mode: 1, count: 120, tps_value: 400, issue_num: 5 },
    ]);
    await writeFile(file, JSON.stringify({ ...kase, variables: [], transactions: [] }));
    const { code, stdout } = await perftest(['run', file, '--json']);
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const result = JSON.parse(lines[0]);
    expect(result.requests).toBe(server.served);
    expect(result.successCount).toBe(server.served);
    expect(result.errorCount).toBe(0);
    expect(result.transactions).toBe(server.served);
    expect(result.tps).toBeGreaterThan(0);
    expect(result.rps).toBeGreaterThanOrEqual(result.tps);
    expect(result.tp99).toBeGreaterThanOrEqual(result.tp50);
    expect(server.served).toBeGreaterThan(120);
  });

  it('run-url prints progress per second to stderr and the performance summary', async () => {
    const { code, stdout, stderr } = await perftest(['run-url', server.url, '-c', '3', '-d', '2']);
    expect(code).toBe(0);
    expect(stderr).toMatch(/\[\s+1s\] users\s+\d+\s+tps\s+\d+\s+p50\s+[\d.]+ ms\s+p99\s+[\d.]+ ms\s+errors 0/);
    expect(stdout).toMatch(new RegExp(`^requests\\s+${server.served}$`, 'm'));
    expect(stdout).toMatch(/^tp9999\s+[\d.]+$/m);
  });

  it('rejects bad arguments and invalid cases with a message and exit code 2', async () => {
    const usage = await perftest(['run-url', server.url, '-c', 'many', '-d', '2']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('-c must be an integer >= 1, got many');
    const file = path.join(dir, 'bad.json');
    await writeFile(file, JSON.stringify(getCase(server.url, [{ pressure_mode: 9 }])));
    const bad = await perftest(['run', file, '--json']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('stages[0].pressure_mode');
    expect(server.served).toBe(0);
  });
});
