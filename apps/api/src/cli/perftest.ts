/**
 * `perftest <command> ...` (`npx pnpm perftest ...`): the command-line entry. Each command is one
 * line of the dispatch table, implemented in its own module and resolving to the exit code.
 * `perftest --help` lists the commands; `perftest <command> --help` (or `perftest help <command>`)
 * prints that command's usage; both exit 0 (docs/cli.md).
 */

import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

/** Where the CLI writes (the process's streams by default; tests pass their own). */
export interface PerftestIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

/** A command: the arguments after its name in, the exit code out. */
interface Command {
  /** How it is called and what it does, one line of the general help. */
  synopsis: string;
  run(argv: readonly string[], io: PerftestIo): Promise<number>;
}

/** `--html FILE`: the console's HTML report of the run (loaded only when asked for). */
const writeHtml: NonNullable<import('@perftest/engine').CliOptions['writeHtml']> = async (file, record) =>
  (await import('./run-report.js')).writeRunHtml(file, record);

/** Each command loads its module only when it runs (a load test should not wait for the store). */
const COMMANDS: Readonly<Record<string, Command>> = {
  run: {
    synopsis: 'run CASE.json      run one case on this machine, print its figures; --html FILE writes its report',
    run: async (argv, io) => (await import('@perftest/engine')).runCli(['run', ...argv], { io, writeHtml }),
  },
  'run-url': {
    synopsis: 'run-url URL        load one URL (GET) from -c users for -d seconds, or at --tps',
    run: async (argv, io) => (await import('@perftest/engine')).runCli(['run-url', ...argv], { io, writeHtml }),
  },
  accounts: {
    synopsis: 'accounts ...       manage the accounts that may call the API: add, list, remove',
    run: async (argv, io) => (await import('./accounts.js')).accountsCli(argv, io),
  },
};

/** The general help. */
const HELP = `usage: perftest <command> [arguments]

commands:
${Object.values(COMMANDS)
  .map((c) => `  ${c.synopsis}`)
  .join('\n')}

"perftest <command> --help" prints a command's arguments.

exit codes: 0 done, 1 failed, 2 bad arguments; run and run-url exit 99 when a KPI was missed
`;

const HELP_WORDS = new Set(['--help', '-h', 'help']);

/** Runs `perftest ARGV` (the arguments after "perftest"); resolves the exit code. */
export async function perftest(argv: readonly string[], io: PerftestIo = process): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    io.stderr.write(HELP);
    return 2;
  }
  if (HELP_WORDS.has(name)) {
    const topic = rest[0];
    if (topic === undefined) {
      io.stdout.write(HELP);
      return 0;
    }
    return perftest([topic, '--help'], io);
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (command === undefined) {
    io.stderr.write(`perftest: unknown command "${name}"\n\n${HELP}`);
    return 2;
  }
  // a command's help wins over any other argument, whatever the command
  if (rest.some((arg) => arg === '--help' || arg === '-h')) return command.run(['--help'], io);
  return command.run(rest, io);
}

/** Whether this module is the program being run (not imported by a test). */
function isEntry(): boolean {
  try {
    return process.argv[1] !== undefined && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href;
  } catch {
    return false;
  }
}

if (isEntry()) {
  perftest(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`perftest: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
