/**
 * Command-line arguments of `perftest run` and `perftest run-url`: parsed once into typed options,
 * with a usage error naming the argument for anything unknown or malformed, and `--help`.
 */
import { RUN_HELP, RUN_URL_HELP } from './help.js';

/** A usage mistake: the CLI prints the message and the usage, and exits with code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  constructor(
    message: string,
    /** The usage text of the command the mistake is in. */
    readonly usage: string,
  ) {
    super(message);
  }
}

/** Options shared by both commands. */
export interface CommonArgs {
  threads: number;
  json: boolean;
  insecure: boolean;
  /** Where to write the HTML report (undefined: none). */
  html: string | undefined;
  /** Whole-run KPIs given on the command line (undefined: not judged). */
  minSuccessRate: number | undefined;
  maxAvgRtMs: number | undefined;
}

/** `perftest run CASE.json [options]`. */
export interface RunArgs extends CommonArgs {
  command: 'run';
  file: string;
}

/** `perftest run-url URL -c N -d S [--tps R] [options]`. */
export interface RunUrlArgs extends CommonArgs {
  command: 'run-url';
  url: string;
  connections: number;
  seconds: number;
  tps: number | undefined;
}

/** `perftest run --help` or `perftest run-url --help`: print the command's usage and exit 0. */
export interface HelpArgs {
  command: 'help';
  text: string;
}

/** Any parse result. */
export type CliArgs = RunArgs | RunUrlArgs | HelpArgs;

/** Value-taking flags by every spelling, to their option name. */
const VALUE_FLAGS: Readonly<Record<string, string>> = {
  '--threads': 'threads',
  '-t': 'threads',
  '-c': 'connections',
  '--connections': 'connections',
  '-d': 'seconds',
  '--duration': 'seconds',
  '--tps': 'tps',
  '--html': 'html',
  '--min-success-rate': 'minSuccessRate',
  '--max-avg-rt': 'maxAvgRtMs',
};
const BOOLEAN_FLAGS: Readonly<Record<string, string>> = { '--json': 'json', '--insecure': 'insecure', '-k': 'insecure' };
const HELP_FLAGS = new Set(['--help', '-h']);

/** Parses `argv` (starting with the command name). */
export function parseArgs(argv: readonly string[]): CliArgs {
  const [command, ...rest] = argv;
  if (command !== 'run' && command !== 'run-url') throw new UsageError(`unknown command ${JSON.stringify(command ?? '')}`, `${RUN_HELP}\n${RUN_URL_HELP}`);
  const usage = command === 'run' ? RUN_HELP : RUN_URL_HELP;
  if (rest.some((arg) => HELP_FLAGS.has(arg))) return { command: 'help', text: usage };
  const positional: string[] = [];
  const values = new Map<string, string>();
  const flags = new Set<string>();
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    if (name in VALUE_FLAGS) {
      const value = eq > 0 ? arg.slice(eq + 1) : rest[++i];
      if (value === undefined) throw new UsageError(`${name} needs a value`, usage);
      values.set(VALUE_FLAGS[name], value);
    } else if (name in BOOLEAN_FLAGS) {
      flags.add(BOOLEAN_FLAGS[name]);
    } else if (arg.startsWith('-') && arg.length > 1) {
      throw new UsageError(`unknown option ${arg}`, usage);
    } else {
      positional.push(arg);
    }
  }
  const html = values.get('html');
  if (html !== undefined && html === '') throw new UsageError('--html needs a file name', usage);
  const successRate = values.get('minSuccessRate');
  const avgRt = values.get('maxAvgRtMs');
  const common: CommonArgs = {
    threads: integer(values.get('threads') ?? '1', '--threads', 1, usage),
    json: flags.has('json'),
    insecure: flags.has('insecure'),
    html,
    minSuccessRate: successRate === undefined ? undefined : bounded(successRate, '--min-success-rate', 0, 100, usage),
    maxAvgRtMs: avgRt === undefined ? undefined : bounded(avgRt, '--max-avg-rt', 0, Number.MAX_SAFE_INTEGER, usage),
  };
  if (command === 'run') {
    if (positional.length !== 1) throw new UsageError('run needs exactly one CASE.json file', usage);
    for (const [key, flag] of [['connections', '-c'], ['seconds', '-d'], ['tps', '--tps']]) {
      if (values.has(key)) throw new UsageError(`run takes its load from the case file; drop ${flag}`, usage);
    }
    return { command, file: positional[0], ...common };
  }
  if (positional.length !== 1) throw new UsageError('run-url needs exactly one URL', usage);
  const url = positional[0];
  if (!/^https?:\/\//i.test(url)) throw new UsageError(`URL must start with http:// or https://, got ${url}`, usage);
  const c = values.get('connections');
  const d = values.get('seconds');
  if (c === undefined) throw new UsageError('run-url needs -c CONNECTIONS', usage);
  if (d === undefined) throw new UsageError('run-url needs -d SECONDS', usage);
  const tps = values.get('tps');
  return {
    command,
    url,
    connections: integer(c, '-c', 1, usage),
    seconds: integer(d, '-d', 1, usage),
    tps: tps === undefined ? undefined : bounded(tps, '--tps', Number.MIN_VALUE, Number.MAX_SAFE_INTEGER, usage),
    ...common,
  };
}

function integer(text: string, flag: string, min: number, usage: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n) || n < min) throw new UsageError(`${flag} must be an integer >= ${min}, got ${text}`, usage);
  return n;
}

function bounded(text: string, flag: string, min: number, max: number, usage: string): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n < min || n > max) {
    const range = min === Number.MIN_VALUE ? 'a positive number' : max === Number.MAX_SAFE_INTEGER ? `a number >= ${min}` : `a number from ${min} to ${max}`;
    throw new UsageError(`${flag} must be ${range}, got ${text}`, usage);
  }
  return n;
}
