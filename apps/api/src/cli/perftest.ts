/**
 * `perftest <command> ...` (`npx pnpm perftest ...`): the command-line entry. Each command is one
 * line of the dispatch table, implemented in its own module and resolving to the exit code.
 */

/** A command: the arguments after its name in, the exit code out. */
type Command = (argv: readonly string[]) => Promise<number>;

/** Each command loads its module only when it runs (a load test should not wait for the store). */
const COMMANDS: Readonly<Record<string, Command>> = {
  accounts: async (argv) => (await import('./accounts.js')).accountsCli(argv),
  run: async (argv) => (await import('@perftest/engine')).runCli(['run', ...argv]),
  'run-url': async (argv) => (await import('@perftest/engine')).runCli(['run-url', ...argv]),
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
