/**
 * System functions usable as `${__name(args)}` in templates and in data instructions. Each is
 * compiled once (arguments parsed and checked) into a generator called at every reference.
 * The names are listed in docs/case-format.md.
 */
import { randomUUID } from 'node:crypto';

/** A compiled system function: produces a fresh value at every call. */
export type SystemFunction = () => string;

/** What compiling a `__name(args)` reference gave: a function, an argument error, or an unknown name. */
export type FunctionCompileResult =
  | { kind: 'function'; fn: SystemFunction }
  | { kind: 'error'; message: string }
  | { kind: 'unknown' };

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
const DEFAULT_TIME_FORMAT = 'yyyy-MM-dd HH:mm:ss';

/** Compiles system function `name` (without the leading `__`) with its raw argument text. */
export function compileSystemFunction(name: string, argText: string | undefined): FunctionCompileResult {
  const args = argText === undefined || argText.trim() === '' ? [] : argText.split(',').map((a) => a.trim());
  switch (name) {
    case 'randomInt':
      return randomInt(args);
    case 'randomString':
      return randomString(args);
    case 'timestamp':
      return noArgs(name, args, () => String(Math.floor(Date.now() / 1000)));
    case 'timestampMs':
      return noArgs(name, args, () => String(Date.now()));
    case 'time':
      return time(argText ?? '');
    case 'uuid':
      return noArgs(name, args, () => randomUUID().replaceAll('-', ''));
    case 'mobile':
      return noArgs(name, args, mobileNumber);
    case 'idCard':
      return noArgs(name, args, idCardNumber);
    default:
      return { kind: 'unknown' };
  }
}

function fn(f: SystemFunction): FunctionCompileResult {
  return { kind: 'function', fn: f };
}

function error(message: string): FunctionCompileResult {
  return { kind: 'error', message };
}

function noArgs(name: string, args: string[], f: SystemFunction): FunctionCompileResult {
  return args.length === 0 ? fn(f) : error(`__${name} takes no arguments`);
}

function parseInteger(text: string | undefined): number | undefined {
  if (text === undefined || !/^-?\d+$/.test(text)) return undefined;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : undefined;
}

function randomInt(args: string[]): FunctionCompileResult {
  const min = parseInteger(args[0]);
  const max = parseInteger(args[1]);
  if (args.length !== 2 || min === undefined || max === undefined || min > max) {
    return error('__randomInt needs two integers min,max with min <= max');
  }
  const span = max - min + 1;
  return fn(() => String(min + Math.floor(Math.random() * span)));
}

function randomString(args: string[]): FunctionCompileResult {
  const len = parseInteger(args[0]);
  if (args.length !== 1 || len === undefined || len < 1 || len > 32) {
    return error('__randomString needs a length from 1 to 32');
  }
  return fn(() => {
    let out = '';
    for (let i = 0; i < len; i++) out += ALPHABET[Math.floor(Math.random() * ALPHABET.length)];
    return out;
  });
}

/** `__time(format,offsetSeconds)`: the offset is the part after the last comma when it is an integer. */
function time(argText: string): FunctionCompileResult {
  let format = argText.trim();
  let offsetSeconds = 0;
  const comma = format.lastIndexOf(',');
  if (comma >= 0) {
    const offset = parseInteger(format.slice(comma + 1).trim());
    if (offset === undefined) return error('__time offset (after the last comma) must be an integer of seconds');
    offsetSeconds = offset;
    format = format.slice(0, comma).trim();
  }
  if (format === '') format = DEFAULT_TIME_FORMAT;
  const render = compileTimeFormat(format);
  const offsetMs = offsetSeconds * 1000;
  return fn(() => render(new Date(Date.now() + offsetMs)));
}

const TOKENS = ['yyyy', 'SSS', 'yy', 'MM', 'dd', 'HH', 'mm', 'ss'] as const;
type Token = (typeof TOKENS)[number];

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

function tokenValue(token: Token, d: Date): string {
  switch (token) {
    case 'yyyy':
      return pad(d.getFullYear(), 4);
    case 'yy':
      return pad(d.getFullYear() % 100, 2);
    case 'MM':
      return pad(d.getMonth() + 1, 2);
    case 'dd':
      return pad(d.getDate(), 2);
    case 'HH':
      return pad(d.getHours(), 2);
    case 'mm':
      return pad(d.getMinutes(), 2);
    case 'ss':
      return pad(d.getSeconds(), 2);
    case 'SSS':
      return pad(d.getMilliseconds(), 3);
  }
}

/**
 * Compiles a date format (tokens yyyy, yy, MM, dd, HH, mm, ss, SSS; anything else is literal) into
 * a function of a Date in the engine's local time zone.
 */
export function compileTimeFormat(format: string): (d: Date) => string {
  const parts: Array<string | Token> = [];
  let literal = '';
  let i = 0;
  outer: while (i < format.length) {
    for (const token of TOKENS) {
      if (format.startsWith(token, i)) {
        if (literal !== '') parts.push(literal);
        literal = '';
        parts.push(token);
        i += token.length;
        continue outer;
      }
    }
    literal += format[i];
    i++;
  }
  if (literal !== '') parts.push(literal);
  const isToken = parts.map((p) => (TOKENS as readonly string[]).includes(p));
  return (d) => {
    let out = '';
    for (let k = 0; k < parts.length; k++) out += isToken[k] ? tokenValue(parts[k] as Token, d) : parts[k];
    return out;
  };
}

function digits(count: number): string {
  let out = '';
  for (let i = 0; i < count; i++) out += Math.floor(Math.random() * 10);
  return out;
}

/** An 11-digit mainland-China mobile number: 1, then 3-9, then 9 digits. */
function mobileNumber(): string {
  return '1' + (3 + Math.floor(Math.random() * 7)) + digits(9);
}

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK = '10X98765432';
const ID_REGIONS = ['110101', '310101', '440106', '330106', '510107', '420102'];

/** An 18-character resident ID number with a valid birth date and check character. */
function idCardNumber(): string {
  const region = ID_REGIONS[Math.floor(Math.random() * ID_REGIONS.length)];
  const birth = new Date(Date.UTC(1950, 0, 1) + Math.floor(Math.random() * 55 * 365.25) * 86_400_000);
  const date = pad(birth.getUTCFullYear(), 4) + pad(birth.getUTCMonth() + 1, 2) + pad(birth.getUTCDate(), 2);
  const body = region + date + digits(3);
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(body[i]) * ID_WEIGHTS[i];
  return body + ID_CHECK[sum % 11];
}
