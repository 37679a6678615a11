/**
 * The settings of controller cards, read from `data` / `conditions` (docs/case-format.md):
 * 201 loop `{"count":N,"contents":[...]}`; 202 condition `conditions={"left","operator","right"}`
 * (or an array of them, all must hold, or `{"logic":"OR","conditions":[...]}`) with
 * `data={"contents":[...]}`; 203 VU percentage `{"mode":"fixed"|"random","branches":[{"weight":1,"contents":[...]}]}`;
 * 204 throughput `{"rps":100,"contents":[...]}`; 301 rendezvous `{"users":N,"timeout":ms}`.
 * Children are compiled by compile-case.ts; this file only checks and reads the settings.
 */
import type { Contents } from '@perftest/model';
import type { Template } from '../protocols/driver.js';
import { boundedInteger } from './fields.js';
import { compileComparison, type Comparison } from './operators.js';
import { compileTemplate, templateText } from './template.js';

/** One compiled condition: `left` rendered, then compared. */
export interface Condition {
  readonly left: Template;
  readonly comparison: Comparison;
}

type Problem = (path: string, message: string) => void;

const MAX_LOOP_COUNT = 1_000_000;
const MAX_WEIGHT = 10_000;
const MAX_RPS = 10_000_000;
const DEFAULT_RPS = 100;
const DEFAULT_RENDEZVOUS_TIMEOUT_MS = 60_000;

function record(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** The `contents` array of a controller's data, or undefined (problem pushed). */
export function childContents(data: unknown, path: string, problem: Problem): Contents[] | undefined {
  const contents = record(data)?.contents;
  if (!Array.isArray(contents)) {
    problem(`${path}.contents`, 'the controller needs a "contents" array of cards');
    return undefined;
  }
  return contents as Contents[];
}

/** Loop count (201). */
export function loopCount(data: unknown, path: string, problem: Problem): number | undefined {
  const count = record(data)?.count;
  if (count === undefined || count === null) {
    problem(`${path}.count`, 'a loop needs "count"');
    return undefined;
  }
  return boundedInteger(count, 0, 0, MAX_LOOP_COUNT, (m) => problem(`${path}.count`, m));
}

/** Conditions of a condition card (202). */
export function compileConditions(
  conditions: unknown,
  path: string,
  problem: Problem,
): { conditions: Condition[]; any: boolean } | undefined {
  let list: unknown[];
  let any = false;
  let listPath = path;
  let single = false;
  const wrapper = record(conditions);
  if (Array.isArray(conditions)) list = conditions;
  else if (wrapper !== undefined && Array.isArray(wrapper.conditions)) {
    list = wrapper.conditions;
    listPath = `${path}.conditions`;
    const logic = wrapper.logic === undefined || wrapper.logic === null ? 'AND' : String(wrapper.logic).toUpperCase();
    if (logic !== 'AND' && logic !== 'OR') problem(`${path}.logic`, 'logic must be "AND" or "OR"');
    any = logic === 'OR';
  } else if (wrapper !== undefined) {
    list = [wrapper];
    single = true;
  } else {
    problem(path, 'a condition card needs "conditions": {"left","operator","right"}');
    return undefined;
  }
  if (list.length === 0) {
    problem(listPath, 'a condition card needs at least one condition');
    return undefined;
  }
  const out: Condition[] = [];
  let ok = true;
  list.forEach((item, i) => {
    const itemPath = single ? path : `${listPath}[${i}]`;
    const c = record(item);
    if (c === undefined) {
      ok = false;
      return problem(itemPath, 'a condition must be an object {"left","operator","right"}');
    }
    const fail = (field: string, m: string) => {
      ok = false;
      problem(`${itemPath}.${field}`, m);
    };
    const left = compileTemplate(templateText(c.left), (m) => fail('left', m));
    const comparison = compileComparison(c.operator, templateText(c.right), (field, m) =>
      fail(field === 'value' ? 'right' : field, m),
    );
    if (comparison) out.push({ left, comparison });
  });
  return ok ? { conditions: out, any } : undefined;
}

/** Branches of a VU-percentage controller (203). */
export function weightBranches(
  data: unknown,
  path: string,
  problem: Problem,
): { random: boolean; weights: number[]; branches: Array<{ contents: Contents[]; path: string }> } | undefined {
  const d = record(data);
  const mode = d?.mode ?? 'fixed';
  const random = mode === 'random' || mode === 1;
  if (!random && mode !== 'fixed' && mode !== 0) problem(`${path}.mode`, 'mode must be "fixed" or "random"');
  const branches = d?.branches;
  if (!Array.isArray(branches) || branches.length === 0) {
    problem(`${path}.branches`, 'a VU-percentage controller needs a non-empty "branches" array');
    return undefined;
  }
  const weights: number[] = [];
  const out: Array<{ contents: Contents[]; path: string }> = [];
  let ok = random || mode === 'fixed' || mode === 0;
  branches.forEach((branch, i) => {
    const branchPath = `${path}.branches[${i}]`;
    const weight = boundedInteger(record(branch)?.weight ?? 1, 1, 1, MAX_WEIGHT, (m) => problem(`${branchPath}.weight`, m));
    const contents = childContents(branch, branchPath, problem);
    if (weight === undefined || contents === undefined) ok = false;
    else {
      weights.push(weight);
      out.push({ contents, path: `${branchPath}.contents` });
    }
  });
  return ok ? { random, weights, branches: out } : undefined;
}

/** RPS ceiling of a throughput controller (204): default 100, at most 10 000 000, 2 decimals. */
export function throughputRps(data: unknown, path: string, problem: Problem): number | undefined {
  const value = record(data)?.rps;
  if (value === undefined || value === null) return DEFAULT_RPS;
  const rps = typeof value === 'string' ? Number(value) : value;
  if (typeof rps !== 'number' || !Number.isFinite(rps) || rps < 0.01 || rps > MAX_RPS) {
    problem(`${path}.rps`, `rps must be a number from 0.01 to ${MAX_RPS}, got ${JSON.stringify(value)}`);
    return undefined;
  }
  return Math.round(rps * 100) / 100;
}

/** Users and timeout of a rendezvous point (301). */
export function rendezvousSettings(
  data: unknown,
  path: string,
  problem: Problem,
): { users: number; timeoutMs: number } | undefined {
  const d = record(data);
  if (d?.users === undefined || d.users === null) {
    problem(`${path}.users`, 'a rendezvous point needs "users"');
    return undefined;
  }
  const users = boundedInteger(d.users, 1, 1, 10_000_000, (m) => problem(`${path}.users`, m));
  const timeoutMs = boundedInteger(d.timeout, DEFAULT_RENDEZVOUS_TIMEOUT_MS, 0, 3_600_000, (m) =>
    problem(`${path}.timeout`, m),
  );
  return users === undefined || timeoutMs === undefined ? undefined : { users, timeoutMs };
}
