/**
 * The comparison operators shared by checkpoints and condition controllers (docs/case-format.md, "Operators"):
 * equals, not_equals, contains, not_contains, regex, exists, <, <=, >, >= (numeric).
 */
import type { Template, VariableScope } from '../protocols/driver.js';
import { compileTemplate } from './template.js';

/** One operator, normalised. */
export type Operator =
  | 'equals'
  | 'not_equals'
  | 'contains'
  | 'not_contains'
  | 'regex'
  | 'exists'
  | '<'
  | '<='
  | '>'
  | '>=';

const ALIASES: Record<string, Operator> = {
  equals: 'equals',
  '=': 'equals',
  '==': 'equals',
  not_equals: 'not_equals',
  '!=': 'not_equals',
  contains: 'contains',
  not_contains: 'not_contains',
  regex: 'regex',
  exists: 'exists',
  '<': '<',
  '<=': '<=',
  '>': '>',
  '>=': '>=',
};

/** The operator named by `text` (case-insensitive; `=`, `==`, `!=` accepted), or undefined. */
export function parseOperator(text: unknown): Operator | undefined {
  if (typeof text !== 'string') return undefined;
  return ALIASES[text.trim().toLowerCase()];
}

/** An operator with its expected value compiled (and its regex, when the value is constant). */
export class Comparison {
  private cachedSource: string | undefined;
  private cachedRegex: RegExp | null = null;

  constructor(
    readonly operator: Operator,
    readonly expected: Template,
    regex?: RegExp,
  ) {
    if (regex !== undefined) {
      this.cachedSource = expected.render(EMPTY_SCOPE);
      this.cachedRegex = regex;
    }
  }

  /** Whether `actual` (undefined: absent) satisfies the comparison. */
  test(actual: string | undefined, vars: VariableScope): boolean {
    const op = this.operator;
    if (op === 'exists') return actual !== undefined && actual !== '';
    if (actual === undefined) return op === 'not_equals' || op === 'not_contains';
    const expected = this.expected.render(vars);
    switch (op) {
      case 'equals':
        return actual === expected;
      case 'not_equals':
        return actual !== expected;
      case 'contains':
        return actual.includes(expected);
      case 'not_contains':
        return !actual.includes(expected);
      case 'regex': {
        const re = this.regexFor(expected);
        return re !== null && re.test(actual);
      }
      default:
        return compareNumbers(op, actual, expected);
    }
  }

  /** Regexes of templated values are compiled at run time, caching the last source. */
  private regexFor(source: string): RegExp | null {
    if (source !== this.cachedSource) {
      this.cachedSource = source;
      try {
        this.cachedRegex = new RegExp(source);
      } catch {
        this.cachedRegex = null;
      }
    }
    return this.cachedRegex;
  }
}

const EMPTY_SCOPE: VariableScope = { get: () => undefined, set: () => undefined };

function compareNumbers(op: '<' | '<=' | '>' | '>=', actualText: string, expectedText: string): boolean {
  if (actualText.trim() === '' || expectedText.trim() === '') return false;
  const actual = Number(actualText);
  const expected = Number(expectedText);
  if (!Number.isFinite(actual) || !Number.isFinite(expected)) return false;
  switch (op) {
    case '<':
      return actual < expected;
    case '<=':
      return actual <= expected;
    case '>':
      return actual > expected;
    case '>=':
      return actual >= expected;
  }
}

/**
 * Compiles an operator and its expected value. Problems (unknown operator, invalid constant regex,
 * bad function arguments) go to `problem(field, message)`; undefined is returned on any of them.
 */
export function compileComparison(
  operatorText: unknown,
  valueText: string,
  problem: (field: string, message: string) => void,
): Comparison | undefined {
  const operator = parseOperator(operatorText);
  if (operator === undefined) {
    problem('operator', `unknown operator ${JSON.stringify(operatorText)}; use one of ${Object.keys(ALIASES).join(', ')}`);
    return undefined;
  }
  let ok = true;
  const expected = compileTemplate(valueText, (message) => {
    ok = false;
    problem('value', message);
  });
  let regex: RegExp | undefined;
  if (operator === 'regex' && expected.constant) {
    try {
      regex = new RegExp(valueText);
    } catch (err) {
      problem('value', `invalid regular expression: ${(err as Error).message}`);
      ok = false;
    }
  }
  return ok ? new Comparison(operator, expected, regex) : undefined;
}
