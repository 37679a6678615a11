/**
 * `perftest <command> ...` (`npx pnpm perftest ...`): the command-line entry. Each command is one
 * line of the dispatch table, implemented in its own module and resolving to the exit code.
 */
import { runCli } from '@perftest/engine';
import { accountsCli } from './accounts.js';

/** A command: the arguments after its name in, the exit code out. */
type Command = (argv: readonly string[]) => Promise<number>;

const COMMANDS: Readonly<Record<string, Command>> = {
  accounts: accountsCli,
  run: (argv) => runCli(['run', ...argv]),
  'run-url': (argv) => runCli(['run-url', ...argv]),
};

async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  const command = name !== undefined && Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (command === undefined) {
    process.stderr.write(
      `${name === undefined ? '' : `perftest: unknown command "${name}"\n`}usage: perftest <command> ...\n  commands: ${Object.keys(COMMANDS).join(', ')}\n`,
    );
    return 2;
  }
  return command(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`perftest: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);
