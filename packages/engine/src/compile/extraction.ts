/**
 * Extraction sub-items (`content_type` 4), docs/case-format.md, "Extraction":
 * `{"extractions":[{"name","source":"body"|"header"|"url"|"json","expression","match_no":1,
 *   "group_index":1,"default_value":"","expected_value":null}]}` applying to the packet before it.
 * Regexes are compiled once with the `g` flag (header regexes also case-insensitive); JSON key paths
 * once into segments. A `header` expression that is a plain header name reads that header directly.
 */
import type { Template, VariableScope } from '../protocols/driver.js';
import type { ResponseAccess } from './checkpoint.js';
import { boundedInteger } from './fields.js';
import { compileKeyPath, evaluateKeyPath, jsonValueText, type KeyPath } from './json-path.js';
import { compileTemplate, EMPTY_TEMPLATE, templateText } from './template.js';

/** Where an extraction reads. */
export type ExtractionSource = 'body' | 'header' | 'url' | 'json';

/** One compiled extraction. */
export interface CompiledExtraction {
  readonly name: string;
  readonly source: ExtractionSource;
  /** Regex extractions (body, url, header block). */
  readonly regex?: RegExp;
  /** Header extraction by name (lower case). */
  readonly headerName?: string;
  /** JSON extraction. */
  readonly keyPath?: KeyPath;
  readonly matchNo: number;
  readonly groupIndex: number;
  readonly defaultValue: Template;
  readonly expected?: Template;
}

/** What extractions read besides ResponseAccess (vu/response-view.ts implements both). */
export interface ExtractionAccess extends ResponseAccess {
  /** The final URL requested. */
  url(): string;
  /** Every header as `name: value` lines (lower-case names). */
  headerBlock(): string;
  /** All values of one header, in order. */
  headerValues(name: string): readonly string[];
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json(): unknown;
}

const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;
const SOURCES: readonly string[] = ['body', 'header', 'url', 'json'];

/** Compiles an extraction card's object found at `path`; pushes every problem. */
export function compileExtractions(
  content: unknown,
  path: string,
  problem: (path: string, message: string) => void,
): CompiledExtraction[] | undefined {
  const list = (content as Record<string, unknown> | null)?.extractions;
  if (!Array.isArray(list) || list.length === 0) {
    problem(`${path}.extractions`, 'an extraction needs a non-empty "extractions" array');
    return undefined;
  }
  const out: CompiledExtraction[] = [];
  let ok = true;
  list.forEach((item, i) => {
    const compiled = compileOne(item, `${path}.extractions[${i}]`, problem);
    if (compiled) out.push(compiled);
    else ok = false;
  });
  return ok ? out : undefined;
}

function compileOne(
  item: unknown,
  path: string,
  problem: (path: string, message: string) => void,
): CompiledExtraction | undefined {
  if (item === null || typeof item !== 'object') {
    problem(path, 'an extraction must be an object');
    return undefined;
  }
  const e = item as Record<string, unknown>;
  let ok = true;
  const fail = (field: string, message: string) => {
    ok = false;
    problem(`${path}.${field}`, message);
  };
  const name = typeof e.name === 'string' ? e.name.trim() : '';
  if (name === '') fail('name', 'the variable name is missing');
  const source = (typeof e.source === 'string' ? e.source.toLowerCase() : e.source) as ExtractionSource;
  if (!SOURCES.includes(source)) fail('source', `source must be one of ${SOURCES.join(', ')}, got ${JSON.stringify(e.source)}`);
  const expression = typeof e.expression === 'string' ? e.expression : '';
  if (expression === '') fail('expression', 'the expression is missing');
  const matchNo = boundedInteger(e.match_no, 1, 1, 1_000_000, (m) => fail('match_no', m));
  const templateOf = (field: string): Template =>
    compileTemplate(templateText(e[field]), (m) => fail(field, m));
  const defaultValue = e.default_value === undefined || e.default_value === null ? EMPTY_TEMPLATE : templateOf('default_value');
  const expected = e.expected_value === undefined || e.expected_value === null ? undefined : templateOf('expected_value');

  let regex: RegExp | undefined;
  let headerName: string | undefined;
  let keyPath: KeyPath | undefined;
  if (expression === '' || !SOURCES.includes(source)) return undefined;
  if (source === 'json') {
    const compiled = compileKeyPath(expression);
    if (typeof compiled === 'string') return void fail('expression', compiled);
    keyPath = compiled;
  } else if (source === 'header' && HEADER_NAME.test(expression)) {
    headerName = expression.toLowerCase();
  } else {
    try {
      regex = new RegExp(expression, source === 'header' ? 'gi' : 'g');
    } catch (err) {
      return void fail('expression', `invalid regular expression: ${(err as Error).message}`);
    }
  }
  const groups = regex === undefined ? 0 : new RegExp(`${regex.source}|`).exec('')!.length - 1;
  const groupIndex = boundedInteger(e.group_index, groups > 0 ? 1 : 0, 0, groups, (m) => fail('group_index', m));
  if (groupIndex === undefined || !ok) return undefined;
  return { name, source, regex, headerName, keyPath, matchNo: matchNo as number, groupIndex, defaultValue, expected };
}

/** The extracted text, or undefined when nothing matched. */
export function extract(x: CompiledExtraction, response: ExtractionAccess): string | undefined {
  if (x.keyPath !== undefined) {
    const value = evaluateKeyPath(response.json(), x.keyPath);
    return value === undefined ? undefined : jsonValueText(value);
  }
  if (x.headerName !== undefined) return response.headerValues(x.headerName)[x.matchNo - 1];
  const text = x.source === 'url' ? response.url() : x.source === 'header' ? response.headerBlock() : response.bodyText();
  return nthMatch(x.regex as RegExp, text, x.matchNo, x.groupIndex);
}

function nthMatch(regex: RegExp, text: string, matchNo: number, group: number): string | undefined {
  regex.lastIndex = 0;
  let match: RegExpExecArray | null = null;
  for (let n = 0; n < matchNo; n++) {
    match = regex.exec(text);
    if (match === null) return undefined;
    if (match[0] === '') regex.lastIndex++;
  }
  return match?.[group] ?? undefined;
}

/** Runs the extractions into `vars`; returns why an expected value did not match, or undefined. */
export function applyExtractions(
  extractions: readonly CompiledExtraction[],
  response: ExtractionAccess | null,
  vars: VariableScope,
): string | undefined {
  let failure: string | undefined;
  for (let i = 0; i < extractions.length; i++) {
    const x = extractions[i];
    const found = response === null ? undefined : extract(x, response);
    const value = found ?? x.defaultValue.render(vars);
    vars.set(x.name, value);
    if (x.expected !== undefined && failure === undefined) {
      const expected = x.expected.render(vars);
      if (value !== expected) failure = `extraction ${x.name}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(value)}`;
    }
  }
  return failure;
}
