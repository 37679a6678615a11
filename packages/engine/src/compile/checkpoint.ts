/**
 * Checkpoint sub-items (`content_type` 3), docs/case-format.md, "Checkpoints":
 * `{"checks":[{"source":"status"|"header"|"body","name":"<header>","operator":"...","value":"..."}],
 *   "logic":"AND"|"OR","retry_times":0,"retry_interval":0}` applying to the packet before it.
 */
import type { VariableScope } from '../protocols/driver.js';
import { boundedInteger } from './fields.js';
import { compileComparison, type Comparison } from './operators.js';
import { templateText } from './template.js';

/** What checks and extractions read from a response; implemented by vu/response-view.ts. */
export interface ResponseAccess {
  readonly status: number;
  /** A header's value (lower-case name; several values joined by ", "), or undefined. */
  header(name: string): string | undefined;
  /** The body as UTF-8 text ('' when there is none). */
  bodyText(): string;
}

/** Where a check reads its actual value. */
export type CheckSource = 'status' | 'header' | 'body';

/** One compiled check. */
export interface CompiledCheck {
  readonly source: CheckSource;
  readonly name: string;
  readonly comparison: Comparison;
}

/** One checkpoint sub-item. */
export interface CompiledCheckpoint {
  readonly checks: readonly CompiledCheck[];
  readonly any: boolean;
  readonly retryTimes: number;
  readonly retryIntervalMs: number;
  /** Whether a check reads headers or the body (so the driver must keep the response). */
  readonly needsResponse: boolean;
}

const MAX_RETRY_TIMES = 100;
const MAX_RETRY_INTERVAL_MS = 3_600_000;

/** Compiles a checkpoint object found at `path`; pushes every problem. */
export function compileCheckpoint(
  content: unknown,
  path: string,
  problem: (path: string, message: string) => void,
): CompiledCheckpoint | undefined {
  if (content === null || typeof content !== 'object' || Array.isArray(content)) {
    problem(path, 'a checkpoint must be an object with "checks"');
    return undefined;
  }
  const c = content as Record<string, unknown>;
  let ok = true;
  const fail = (field: string, message: string) => {
    ok = false;
    problem(`${path}.${field}`, message);
  };
  const logic = c.logic === undefined || c.logic === null ? 'AND' : String(c.logic).toUpperCase();
  if (logic !== 'AND' && logic !== 'OR') fail('logic', `logic must be "AND" or "OR", got ${JSON.stringify(c.logic)}`);
  const retryTimes = boundedInteger(c.retry_times, 0, 0, MAX_RETRY_TIMES, (m) => fail('retry_times', m));
  const retryIntervalMs = boundedInteger(c.retry_interval, 0, 0, MAX_RETRY_INTERVAL_MS, (m) => fail('retry_interval', m));
  const checks: CompiledCheck[] = [];
  if (!Array.isArray(c.checks) || c.checks.length === 0) fail('checks', 'a checkpoint needs a non-empty "checks" array');
  else c.checks.forEach((check, i) => {
    const compiled = compileCheck(check, `checks[${i}]`, fail);
    if (compiled) checks.push(compiled);
    else ok = false;
  });
  if (!ok || retryTimes === undefined || retryIntervalMs === undefined) return undefined;
  return {
    checks,
    any: logic === 'OR',
    retryTimes,
    retryIntervalMs,
    needsResponse: checks.some((k) => k.source !== 'status'),
  };
}

function compileCheck(
  check: unknown,
  path: string,
  fail: (field: string, message: string) => void,
): CompiledCheck | undefined {
  if (check === null || typeof check !== 'object') {
    fail(path, 'a check must be an object');
    return undefined;
  }
  const k = check as Record<string, unknown>;
  const source = typeof k.source === 'string' ? k.source.toLowerCase() : k.source;
  if (source !== 'status' && source !== 'header' && source !== 'body') {
    fail(`${path}.source`, `source must be "status", "header" or "body", got ${JSON.stringify(k.source)}`);
    return undefined;
  }
  const name = typeof k.name === 'string' ? k.name.trim().toLowerCase() : '';
  if (source === 'header' && name === '') {
    fail(`${path}.name`, 'a header check needs the header name');
    return undefined;
  }
  const comparison = compileComparison(k.operator, templateText(k.value), (field, m) => fail(`${path}.${field}`, m));
  return comparison && { source, name, comparison };
}

/** Why `checkpoint` fails for `response`, or undefined when it passes. */
export function checkpointFailure(
  checkpoint: CompiledCheckpoint,
  response: ResponseAccess,
  vars: VariableScope,
): string | undefined {
  const { checks, any } = checkpoint;
  let firstFailure: CompiledCheck | undefined;
  for (let i = 0; i < checks.length; i++) {
    const check = checks[i];
    const passed = check.comparison.test(actualValue(check, response), vars);
    if (passed && any) return undefined;
    if (!passed) {
      firstFailure ??= check;
      if (!any) break;
    }
  }
  if (firstFailure === undefined) return undefined;
  const label = firstFailure.source === 'header' ? `header ${firstFailure.name}` : firstFailure.source;
  const actual = actualValue(firstFailure, response);
  const shown = actual === undefined ? 'absent' : JSON.stringify(actual.length > 200 ? actual.slice(0, 200) + '…' : actual);
  const prefix = any ? 'no check passed; first: ' : '';
  return `${prefix}checkpoint ${label} ${firstFailure.comparison.operator} ${JSON.stringify(firstFailure.comparison.expected.render(EMPTY_VARS))} failed (actual ${shown})`;
}

const EMPTY_VARS: VariableScope = { get: () => undefined, set: () => undefined };

function actualValue(check: CompiledCheck, response: ResponseAccess): string | undefined {
  switch (check.source) {
    case 'status':
      return response.status === 0 ? undefined : String(response.status);
    case 'header':
      return response.header(check.name);
    case 'body':
      return response.bodyText();
  }
}
