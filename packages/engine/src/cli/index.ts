/**
 * `perftest run CASE.json` and `perftest run-url URL`: run one case on this machine and print its
 * figures. Human mode prints a progress line per second to stderr and the `performance` summary at
 * the end; `--json` prints only one final line of JSON (with `tps`, successful requests per second,
 * `rps`, and the KPI verdict `kpis`). The exit code says whether the KPIs were met (help.ts, EXIT).
 * `--html` hands the run to the caller's renderer (the `perftest` entry renders the console's
 * report page; the engine knows no HTML).
 */
import { readFile } from 'node:fs/promises';
import type { CardInfo, CaseInfoDetail, IntervalMessage, Transaction, VariableDetail } from '@perftest/model';
import { startRun } from '../run/engine-run.js';
import { tuneHeapForLoad } from '../run/heap-tuning.js';
import { CaseProblemsError } from '../run/prepare.js';
import type { RunSummary } from '../run/run-summary.js';
import { parseArgs, UsageError, type CliArgs, type RunArgs, type RunUrlArgs } from './args.js';
import { EXIT } from './help.js';
import { judgeKpis, KpiSamples, missedText } from './kpi-verdict.js';
import { performanceOf, performanceText, progressLine } from './performance.js';
import { urlCase } from './url-case.js';

/** Where the CLI writes (the process's streams by default; tests pass their own). */
export interface CliIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

/** A finished run as `--html` renders it. */
export interface CliRunRecord {
  case: CaseInfoDetail;
  cards: readonly CardInfo[];
  /** Every second of the run, threads merged, in order. */
  intervals: readonly IntervalMessage[];
  summary: RunSummary;
}

/** What the caller of the CLI provides. */
export interface CliOptions {
  io?: CliIo;
  /** Writes the HTML report of a run to `file` (without it `--html` is refused). */
  writeHtml?: (file: string, record: CliRunRecord) => Promise<void>;
}

/** What a CASE.json holds: a CaseInfoDetail, optionally with the project's variables and transactions. */
interface CaseFile extends CaseInfoDetail {
  variables?: VariableDetail[];
  transactions?: Transaction[];
}

/** Runs `perftest run ...` or `perftest run-url ...` (argv starts with the command); resolves the exit code. */
export async function runCli(argv: readonly string[], options: CliOptions = {}): Promise<number> {
  const io = options.io ?? process;
  let args: CliArgs;
  try {
    args = parseArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr.write(`perftest: ${error.message}\n\n${error.usage}\n`);
    return EXIT.usage;
  }
  if (args.command === 'help') {
    io.stdout.write(`${args.text}\n`);
    return EXIT.ok;
  }
  if (args.html !== undefined && options.writeHtml === undefined) {
    io.stderr.write('perftest: --html is available through the perftest command (npx pnpm perftest run ...)\n');
    return EXIT.usage;
  }
  let input: { case: CaseInfoDetail; variables?: VariableDetail[]; transactions?: Transaction[] };
  if (args.command === 'run') {
    try {
      const file = JSON.parse(await readFile(args.file, 'utf8')) as CaseFile;
      if (file === null || typeof file !== 'object' || Array.isArray(file)) throw new Error('the file must hold a JSON object');
      const { variables, transactions, ...caseDetail } = file;
      input = { case: caseDetail, variables, transactions };
    } catch (error) {
      io.stderr.write(`perftest: cannot read ${args.file}: ${error instanceof Error ? error.message : String(error)}\n`);
      return EXIT.usage;
    }
  } else {
    input = { case: urlCase(args) };
  }
  return execute(args, input, io, options.writeHtml);
}

async function execute(
  args: RunArgs | RunUrlArgs,
  input: { case: CaseInfoDetail; variables?: VariableDetail[]; transactions?: Transaction[] },
  io: CliIo,
  writeHtml: CliOptions['writeHtml'],
): Promise<number> {
  let usersSeconds = 0;
  let first: number | undefined;
  const samples = new KpiSamples();
  const intervals: IntervalMessage[] = [];
  let run;
  tuneHeapForLoad(undefined, args.threads === 1);
  try {
    run = await startRun({
      ...input,
      threads: args.threads,
      options: { tlsVerify: !args.insecure },
      onInterval: (interval) => {
        usersSeconds += interval.users;
        first ??= interval.second;
        samples.add(interval);
        if (args.html !== undefined) intervals.push(interval);
        if (!args.json) io.stderr.write(`${progressLine(interval.second - first + 1, interval)}\n`);
      },
    });
  } catch (error) {
    if (!(error instanceof CaseProblemsError)) throw error;
    io.stderr.write(`perftest: the case cannot run:\n${error.problems.map((p) => `  ${p.path}: ${p.message}`).join('\n')}\n`);
    return EXIT.usage;
  }
  const cpuAtStart = process.cpuUsage();
  const interrupt = (): void => void run.stop();
  process.once('SIGINT', interrupt);
  try {
    const summary = await run.done;
    const cpu = process.cpuUsage(cpuAtStart);
    const perf = performanceOf(summary, usersSeconds, cpu.user + cpu.system);
    const kpis = judgeKpis(input.case, samples.samples, perf, args);
    if (args.json) io.stdout.write(`${JSON.stringify({ ...perf, kpis })}\n`);
    else io.stdout.write(`${performanceText(perf)}\n`);
    if (args.html !== undefined && writeHtml !== undefined) {
      try {
        await writeHtml(args.html, { case: input.case, cards: run.cards, intervals, summary });
      } catch (error) {
        io.stderr.write(`perftest: cannot write ${args.html}: ${error instanceof Error ? error.message : String(error)}\n`);
        return EXIT.error;
      }
    }
    if (!kpis.passed) {
      io.stderr.write(`${missedText(kpis)}\n`);
      return EXIT.kpiMissed;
    }
    return EXIT.ok;
  } finally {
    process.removeListener('SIGINT', interrupt);
  }
}
