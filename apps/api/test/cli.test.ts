/**
 * The `perftest` command for CI (its entry once as a process, then in this process): help of the
 * entry and of each command (exit 0, on stdout), usage mistakes (exit 2, on stderr), and the KPI
 * verdict of a real run against a local target that answers slowly: a peak-load stage whose
 * response-time KPI is missed for 6 seconds exits 99, naming the KPI and its figures, and its JSON
 * line carries the verdict, and its --html file (the console's report) holds the same figures and
 * the report's own KPI verdict.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLI_EXIT, runCli } from '@perftest/engine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { perftest as perftestEntry } from '../src/cli/perftest.js';

const ROOT = path.resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');
const TSX = createRequire(import.meta.url).resolve('tsx/cli');

/** Runs `perftest ARGS` as a user does, from another directory. */
function perftest(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [TSX, path.join(ROOT, 'apps/api/src/cli/perftest.ts'), ...args], { cwd: tmpdir(), timeout: 60_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** Runs the `perftest` entry in this process, capturing what it prints. */
async function entry(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await perftestEntry(argv, { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) } });
  return { code, stdout, stderr };
}

/** Runs the engine's run/run-url in this process, capturing what it prints. */
async function inProcess(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io = { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) } };
  const code = await runCli(argv, { io });
  return { code, stdout, stderr };
}

let target: Server;
let url: string;
let served = 0;
let dir: string;
beforeAll(async () => {
  target = createServer((req, res) => {
    served++;
    req.resume();
    setTimeout(() => res.writeHead(200, { 'content-type': 'text/plain' }).end('slow'), 20);
  });
  await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(target.address() as AddressInfo).port}/slow`;
  dir = await mkdtemp(path.join(tmpdir(), 'perftest-cli-'));
});
afterAll(async () => {
  target.closeAllConnections();
  await new Promise((resolve) => target.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

describe('perftest help and usage', () => {
  it('prints help with exit 0 and refuses mistakes with exit 2', async () => {
    const spawned = await perftest(['run', '--help']); // the real process and its exit code, once
    expect(spawned.code).toBe(0);
    expect(spawned.stdout).toMatch(/^usage: perftest run CASE\.json \[options\]/);
    const [general, run, accounts, helpRun, none, unknown] = await Promise.all([
      entry(['--help']),
      entry(['run', '--threads', '2', '-h']),
      entry(['accounts', 'add', '--help']),
      entry(['help', 'run-url']),
      entry([]),
      entry(['deploy']),
    ]);
    expect(general.code).toBe(0);
    for (const command of ['run CASE.json', 'run-url URL', 'accounts ...']) expect(general.stdout).toContain(command);
    expect(general.stdout).toContain('99 when a KPI was missed');
    expect(run).toEqual({ code: 0, stdout: spawned.stdout, stderr: '' });
    for (const option of ['--html FILE', '--min-success-rate', '--max-avg-rt', '--threads', 'exit codes: 0']) expect(run.stdout).toContain(option);
    expect(accounts.code).toBe(0);
    expect(accounts.stdout).toMatch(/^usage: perftest accounts <add\|list\|remove>/);
    expect(accounts.stdout).toContain('exit codes: 0 done');
    expect(helpRun.code).toBe(0);
    expect(helpRun.stdout).toMatch(/^usage: perftest run-url URL/);
    expect([none.code, none.stdout]).toEqual([2, '']);
    expect(none.stderr).toBe(general.stdout);
    expect([unknown.code, unknown.stdout]).toEqual([2, '']);
    expect(unknown.stderr).toContain('perftest: unknown command "deploy"');

    const help = await inProcess(['run-url', '-h']);
    expect([help.code, help.stderr]).toEqual([0, '']);
    expect(help.stdout).toMatch(/^usage: perftest run-url URL -c CONNECTIONS -d SECONDS/);
    const mistakes: Array<[string[], string]> = [
      [['run'], 'run needs exactly one CASE.json file'],
      [['run', 'a.json', '-c', '3'], 'run takes its load from the case file; drop -c'],
      [['run-url', url, '-c', '2'], 'run-url needs -d SECONDS'],
      [['run-url', url, '-c', '2', '-d', '1', '--max-avg-rt', 'fast'], '--max-avg-rt must be a number >= 0, got fast'],
      [['run-url', url, '-c', '2', '-d', '1', '--min-success-rate', '101'], '--min-success-rate must be a number from 0 to 100, got 101'],
      [['run-url', url, '-c', '2', '-d', '1', '--html', 'r.html'], '--html is available through the perftest command'],
      [['run', path.join(dir, 'missing.json')], 'cannot read'],
    ];
    for (const [argv, message] of mistakes) {
      const result = await inProcess(argv);
      expect([argv, result.code]).toEqual([argv, CLI_EXIT.usage]);
      expect(result.stderr).toContain(message);
      expect(result.stdout).toBe('');
    }
    expect(served).toBe(0);
  });
});

describe('perftest run KPIs', () => {
  it('exits 99 when a peak-load KPI is missed 6 seconds in a row, 0 when the thresholds are met', async () => {
    const file = path.join(dir, 'peak.json');
    const kase = {
      name: 'slow-peak',
      contents: [{ data_type: 0, content: [{ content_type: 2, content: { protocol_type: 1, name: 'slow', method: 'GET', url } }] }],
      stages: [
        { name: 'peak', pressure_mode: 2, operate_mode: 0, time: 7, issue_num: 2, ramp_up: 0,
          peak_load_kpis: { average_response_time: { comparison: '<=', value: 5 }, success_rate: { comparison: '>=', value: 99 } } },
      ],
    };
    await writeFile(file, JSON.stringify(kase));
    const html = path.join(dir, 'report.html');
    const missed = await entry(['run', file, '--json', '--min-success-rate', '99.5', '--html', html]);
    expect(missed.code, missed.stderr).toBe(CLI_EXIT.kpiMissed);
    const result = JSON.parse(missed.stdout);
    expect(result.requests).toBe(served);

    // the HTML report (the console's export format) holds the same run, and the report's own KPI verdict agrees
    const page = await readFile(html, 'utf8');
    const embedded = /<script type="application\/json" id="report-data">(.*?)<\/script>/s.exec(page);
    const report = JSON.parse((embedded as RegExpExecArray)[1]).cases[0].report;
    expect(report.details.data[0].performance.requests).toBe(served);
    expect(report.details.data[0].detailDatas.map((r: { name: string; requests: number }) => [r.name, r.requests])).toEqual([['slow', served]]);
    expect(report.details.data[0].performance.averageRespTime).toBe(result.averageRespTime);
    expect(report.outline).toMatchObject({ kpiCaseCount: 1, kpiCaseExecuteCount: 1, kpiCasePassCount: 0, kpiMissed: 'average_response_time' });
    expect(report.brokens.commonTimestamps.length).toBeGreaterThanOrEqual(7);
    expect(result.averageRespTime).toBeGreaterThan(5);
    expect(result.kpis.passed).toBe(false);
    const checks = Object.fromEntries(result.kpis.checks.map((c: { kpi: string }) => [c.kpi, c]));
    expect(checks['stages[0].peak_load_kpis.average_response_time']).toMatchObject({ expected: '<= 5', passed: false });
    expect(checks['stages[0].peak_load_kpis.average_response_time'].actual).toBeGreaterThan(5);
    expect(checks['stages[0].peak_load_kpis.success_rate']).toEqual({ kpi: 'stages[0].peak_load_kpis.success_rate', expected: '>= 99', passed: true });
    expect(checks.success_rate).toEqual({ kpi: 'success_rate', expected: '>= 99.5', passed: true });
    expect(missed.stderr).toMatch(/^perftest: KPI missed: stages\[0\]\.peak_load_kpis\.average_response_time expected <= 5 ms, got [\d.]+ ms from \d{4}-/m);

    const before = served;
    const met = await inProcess(['run-url', url, '-c', '2', '-d', '1', '--json', '--min-success-rate', '100', '--max-avg-rt', '10000']);
    expect(met.code, met.stderr).toBe(CLI_EXIT.ok);
    expect(JSON.parse(met.stdout).kpis).toEqual({
      passed: true,
      checks: [
        { kpi: 'success_rate', expected: '>= 100', passed: true },
        { kpi: 'average_response_time', expected: '<= 10000', passed: true },
      ],
    });
    expect(JSON.parse(met.stdout).requests).toBe(served - before);
  });
});
