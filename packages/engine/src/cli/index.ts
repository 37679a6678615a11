/**
 * `perftest run CASE.json` and `perftest run-url URL`: run one case on this machine and print its
 * figures. Human mode prints a progress line per second to stderr and the `performance` summary at
 * the end; `--json` prints only one final line of JSON (with `tps`, successful requests per second,
 * and `rps`).
 */
import { readFile } from 'node:fs/promises';
import type { CaseInfoDetail, Transaction, VariableDetail } from '@perftest/model';
import { startRun } from '../run/engine-run.js';
import { tuneHeapForLoad } from '../run/heap-tuning.js';
import { CaseProblemsError } from '../run/prepare.js';
import { parseArgs, USAGE, UsageError, type CliArgs } from './args.js';
import { performanceOf, performanceText, progressLine } from './performance.js';
import { urlCase } from './url-case.js';

/** Where the CLI writes (the process's streams by default; tests pass their own). */
export interface CliIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

/** What a CASE.json holds: a CaseInfoDetail, optionally with the project's variables and transactions. */
interface CaseFile extends CaseInfoDetail {
  variables?: VariableDetail[];
  transactions?: Transaction[];
}

/** Runs `perftest run ...` or `perftest run-url ...` (argv starts with the command); resolves the exit code. */
export async function runCli(argv: readonly string[], io: CliIo = process): Promise<number> {
  let args: CliArgs;
  try {
    args = parseArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr.write(`perftest: ${error.message}\n${USAGE}\n`);
    return 2;
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
      return 2;
    }
  } else {
    input = { case: urlCase(args) };
  }
  return execute(args, input, io);
}

async function execute(
  args: CliArgs,
  input: { case: CaseInfoDetail; variables?: VariableDetail[]; transactions?: Transaction[] },
  io: CliIo,
): Promise<number> {
  let usersSeconds = 0;
  let first: number | undefined;
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
        if (!args.json) io.stderr.write(`${progressLine(interval.second - first + 1, interval)}\n`);
      },
    });
  } catch (error) {
    if (!(error instanceof CaseProblemsError)) throw error;
    io.stderr.write(`perftest: the case cannot run:\n${error.problems.map((p) => `  ${p.path}: ${p.message}`).join('\n')}\n`);
    return 2;
  }
  const cpuAtStart = process.cpuUsage();
  const interrupt = (): void => void run.stop();
  process.once('SIGINT', interrupt);
  try {
    const summary = await run.done;
    const cpu = process.cpuUsage(cpuAtStart);
    const perf = performanceOf(summary, usersSeconds, cpu.user + cpu.system);
    if (args.json) io.stdout.write(`${JSON.stringify(perf)}\n`);
    else io.stdout.write(`${performanceText(perf)}\n`);
    return 0;
  } finally {
    process.removeListener('SIGINT', interrupt);
  }
}
