/**
 * Command-line arguments of `perftest run` and `perftest run-url`: parsed once into typed options,
 * with a usage error naming the argument for anything unknown or malformed.
 */

/** A usage mistake: the CLI prints the message and the usage, and exits with code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Options shared by both commands. */
export interface CommonArgs {
  threads: number;
  json: boolean;
  insecure: boolean;
}

/** `perftest run CASE.json [--threads N] [--json] [--insecure]`. */
export interface RunArgs extends CommonArgs {
  command: 'run';
  file: string;
}

/** `perftest run-url URL -c N -d S [--tps R] [--threads N] [--json] [--insecure]`. */
export interface RunUrlArgs extends CommonArgs {
  command: 'run-url';
  url: string;
  connections: number;
  seconds: number;
  tps: number | undefined;
}

/** Either command. */
export type CliArgs = RunArgs | RunUrlArgs;

/** Usage text of the two commands. */
export const USAGE = `usage:
  perftest run CASE.json [--threads N] [--json] [--insecure]
  perftest run-url URL -c CONNECTIONS -d SECONDS [--tps R] [--threads N] [--json] [--insecure]`;

/** Value-taking flags by every spelling, to their option name. */
const VALUE_FLAGS: Readonly<Record<string, string>> = {
  '--threads': 'threads',
  '-t': 'threads',
  '-c': 'connections',
  '--connections': 'connections',
  '-d': 'seconds',
  '--duration': 'seconds',
  '--tps': 'tps',
};
const BOOLEAN_FLAGS: Readonly<Record<string, string>> = { '--json': 'json', '--insecure': 'insecure', '-k': 'insecure' };

/** Parses `argv` (starting with the command name). */
export function parseArgs(argv: readonly string[]): CliArgs {
  const [command, ...rest] = argv;
  if (command !== 'run' && command !== 'run-url') throw new UsageError(`unknown command ${JSON.stringify(command ?? '')}`);
  const positional: string[] = [];
  const values = new Map<string, string>();
  const flags = new Set<string>();
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    if (name in VALUE_FLAGS) {
      const value = eq > 0 ? arg.slice(eq + 1) : rest[++i];
      if (value === undefined) throw new UsageError(`${name} needs a value`);
      values.set(VALUE_FLAGS[name], value);
    } else if (name in BOOLEAN_FLAGS) {
      flags.add(BOOLEAN_FLAGS[name]);
    } else if (arg.startsWith('-') && arg.length > 1) {
      throw new UsageError(`unknown option ${arg}`);
    } else {
      positional.push(arg);
    }
  }
  const common: CommonArgs = {
    threads: integer(values.get('threads') ?? '1', '--threads', 1),
    json: flags.has('json'),
    insecure: flags.has('insecure'),
  };
  if (command === 'run') {
    if (positional.length !== 1) throw new UsageError('run needs exactly one CASE.json file');
    for (const key of ['connections', 'seconds', 'tps']) {
      if (values.has(key)) throw new UsageError(`run takes its load from the case file; drop the ${key} option`);
    }
    return { command, file: positional[0], ...common };
  }
  if (positional.length !== 1) throw new UsageError('run-url needs exactly one URL');
  const url = positional[0];
  if (!/^https?:\/\//i.test(url)) throw new UsageError(`URL must start with http:// or https://, got ${url}`);
  const c = values.get('connections');
  const d = values.get('seconds');
  if (c === undefined) throw new UsageError('run-url needs -c CONNECTIONS');
  if (d === undefined) throw new UsageError('run-url needs -d SECONDS');
  const tps = values.get('tps');
  return {
    command,
    url,
    connections: integer(c, '-c', 1),
    seconds: integer(d, '-d', 1),
    tps: tps === undefined ? undefined : positiveNumber(tps, '--tps'),
    ...common,
  };
}

function integer(text: string, flag: string, min: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`${flag} must be an integer >= ${min}, got ${text}`);
  return n;
}

function positiveNumber(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${flag} must be a positive number, got ${text}`);
  return n;
}
