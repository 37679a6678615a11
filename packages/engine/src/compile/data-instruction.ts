/**
 * Data instructions (`data_type` 1): assign local variables of the user.
 * `data = {"assignments":[{"name":"x","value":"<template>"},
 *   {"name":"sum","value":"${a}","operator":"+"|"-"|"*"|"/","operand":"${b}","rounding":"none"|"round"|"floor"|"ceil"|"trunc","decimals":0}]}`.
 * A value is a template, so it covers constants, variable copies (`${other}`) and system functions
 * (`${__uuid}`). With an operator both sides are read as numbers; a side that is not a number makes
 * the result `NaN`. `data` may also be the assignments array itself.
 */
import type { Template, VariableScope } from '../protocols/driver.js';
import { boundedInteger } from './fields.js';
import { compileTemplate, templateText } from './template.js';

/** How an arithmetic result is rounded to `decimals` places. */
export type Rounding = 'none' | 'round' | 'floor' | 'ceil' | 'trunc';

/** One compiled assignment. */
export interface Assignment {
  readonly name: string;
  readonly value: Template;
  readonly arithmetic?: {
    readonly operator: '+' | '-' | '*' | '/';
    readonly operand: Template;
    readonly rounding: Rounding;
    readonly scale: number;
  };
}

const ROUNDINGS: readonly string[] = ['none', 'round', 'floor', 'ceil', 'trunc'];
const OPERATORS: readonly string[] = ['+', '-', '*', '/'];

/** Compiles a data instruction's `data` found at `path`; pushes every problem. */
export function compileDataInstruction(
  data: unknown,
  path: string,
  problem: (path: string, message: string) => void,
): Assignment[] | undefined {
  const list = Array.isArray(data) ? data : (data as Record<string, unknown> | null)?.assignments;
  const listPath = Array.isArray(data) ? path : `${path}.assignments`;
  if (!Array.isArray(list) || list.length === 0) {
    problem(listPath, 'a data instruction needs a non-empty "assignments" array');
    return undefined;
  }
  const out: Assignment[] = [];
  let ok = true;
  list.forEach((item, i) => {
    const compiled = compileAssignment(item, `${listPath}[${i}]`, problem);
    if (compiled) out.push(compiled);
    else ok = false;
  });
  return ok ? out : undefined;
}

function compileAssignment(
  item: unknown,
  path: string,
  problem: (path: string, message: string) => void,
): Assignment | undefined {
  if (item === null || typeof item !== 'object') {
    problem(path, 'an assignment must be an object with "name" and "value"');
    return undefined;
  }
  const a = item as Record<string, unknown>;
  let ok = true;
  const fail = (field: string, message: string) => {
    ok = false;
    problem(`${path}.${field}`, message);
  };
  const name = typeof a.name === 'string' ? a.name.trim() : '';
  if (name === '') fail('name', 'the variable name is missing');
  const value = compileTemplate(templateText(a.value), (m) => fail('value', m));
  if (a.operator === undefined || a.operator === null || a.operator === '') return ok ? { name, value } : undefined;

  const operator = String(a.operator);
  if (!OPERATORS.includes(operator)) fail('operator', `operator must be one of + - * /, got ${JSON.stringify(a.operator)}`);
  const operand = compileTemplate(templateText(a.operand), (m) => fail('operand', m));
  const rounding = a.rounding === undefined || a.rounding === null ? 'none' : String(a.rounding).toLowerCase();
  if (!ROUNDINGS.includes(rounding)) fail('rounding', `rounding must be one of ${ROUNDINGS.join(', ')}`);
  const scale = boundedInteger(a.decimals, 0, 0, 10, (m) => fail('decimals', m));
  if (!ok || scale === undefined) return undefined;
  return {
    name,
    value,
    arithmetic: { operator: operator as '+' | '-' | '*' | '/', operand, rounding: rounding as Rounding, scale },
  };
}

/** Runs the assignments in order (a later one sees the earlier ones). */
export function runAssignments(assignments: readonly Assignment[], vars: VariableScope): void {
  for (let i = 0; i < assignments.length; i++) {
    const a = assignments[i];
    const value = a.value.render(vars);
    vars.set(a.name, a.arithmetic === undefined ? value : arithmetic(value, a.arithmetic, vars));
  }
}

function arithmetic(left: string, op: NonNullable<Assignment['arithmetic']>, vars: VariableScope): string {
  const rightText = op.operand.render(vars);
  const a = left.trim() === '' ? NaN : Number(left);
  const b = rightText.trim() === '' ? NaN : Number(rightText);
  let r: number;
  switch (op.operator) {
    case '+':
      r = a + b;
      break;
    case '-':
      r = a - b;
      break;
    case '*':
      r = a * b;
      break;
    case '/':
      r = a / b;
      break;
  }
  if (!Number.isFinite(r)) return String(r);
  if (op.rounding === 'none') return String(r);
  const factor = 10 ** op.scale;
  const scaled = r * factor;
  let rounded: number;
  switch (op.rounding) {
    case 'round':
      rounded = Math.sign(scaled) * Math.round(Math.abs(scaled));
      break;
    case 'floor':
      rounded = Math.floor(scaled);
      break;
    case 'ceil':
      rounded = Math.ceil(scaled);
      break;
    case 'trunc':
      rounded = Math.trunc(scaled);
      break;
  }
  return (rounded / factor).toFixed(op.scale);
}
