/**
 * A case prepared once per case run (PreparedCase, packages/model): its stages planned
 * (pressure/stage-plan.ts) and its contents compiled (compile/) with every problem of either
 * collected, kept as plain JSON. Everything after that reads the prepared case: the threads that
 * run users build their executable form from it (compiled code cannot cross threads or processes;
 * its checks passed, its timeline is taken as planned), the intelligent-peak step feed and the
 * reports hydrate its timeline. Nothing plans a prepared case again.
 */
import {
  isPreparedCase,
  PREPARED_CASE_VERSION,
  type CaseInfoDetail,
  type PreparedCase,
  type Transaction,
  type VariableDetail,
} from '@perftest/model';
import { compileCase } from '../compile/compile-case.js';
import { planStages, StagePlan } from '../pressure/stage-plan.js';
import type { CaseProblem, EngineOptions } from '../protocols/driver.js';
import type { CompiledCase } from '../types.js';

/** What a case run is made from, before it is prepared. */
export interface RunInput {
  case: CaseInfoDetail;
  variables?: readonly VariableDetail[];
  transactions?: readonly Transaction[];
}

/** A prepared case, or every problem that prevents running it. */
export type PrepareResult = { ok: true; prepared: PreparedCase } | { ok: false; problems: CaseProblem[] };

/** A prepared case with its compiled form for this thread (the caller closes it). */
type PreparedAndCompiled = { ok: true; prepared: PreparedCase; compiled: CompiledCase } | { ok: false; problems: CaseProblem[] };

/** Plans and compiles, keeping the compiled case open for a caller that runs it on this thread. */
export function prepareAndCompile(input: RunInput, options?: Partial<EngineOptions>): PreparedAndCompiled {
  const problems: CaseProblem[] = [];
  const plan = planStages(input.case, problems);
  const variables = [...(input.variables ?? [])];
  const transactions = [...(input.transactions ?? [])];
  const result = compileCase({ case: input.case, variables, transactions, options });
  if (!result.ok) problems.push(...result.problems);
  if (problems.length > 0 || plan === undefined || !result.ok) {
    if (result.ok) void result.compiled.close();
    return { ok: false, problems };
  }
  const prepared: PreparedCase = {
    prepared: PREPARED_CASE_VERSION,
    case: input.case,
    variables,
    transactions,
    cards: [...result.compiled.cards],
    plan: plan.toPrepared(),
  };
  return { ok: true, prepared, compiled: result.compiled };
}

/** Checks, plans and compiles a case once for its run (then releases what compiling opened). */
export async function prepareCase(input: RunInput): Promise<PrepareResult> {
  const result = prepareAndCompile(input);
  if (!result.ok) return result;
  await result.compiled.close();
  return { ok: true, prepared: result.prepared };
}

/**
 * The executable form of a prepared case on this thread. Its checks passed when it was prepared, so
 * a problem now means the input was altered since: thrown as CaseProblemsError.
 */
export function compilePrepared(prepared: PreparedCase, options?: Partial<EngineOptions>): CompiledCase {
  const result = compileCase({ case: prepared.case, variables: prepared.variables, transactions: prepared.transactions, options });
  if (!result.ok) throw new CaseProblemsError(result.problems);
  return result.compiled;
}

/** The load timeline of a prepared case (hydrated, not planned again). */
export function preparedPlan(prepared: PreparedCase): StagePlan {
  return StagePlan.fromPrepared(prepared.plan);
}

/**
 * The prepared case a stored case-run input holds, or, for an input stored before cases were
 * prepared (a run started by an older version), that input prepared now.
 */
export async function asPreparedCase(input: PreparedCase | RunInput): Promise<PrepareResult> {
  return isPreparedCase(input) ? { ok: true, prepared: input } : prepareCase(input);
}

/** Thrown by startRun when the case cannot run; `problems` lists every reason. */
export class CaseProblemsError extends Error {
  override readonly name = 'CaseProblemsError';
  constructor(readonly problems: readonly CaseProblem[]) {
    super(`the case cannot run: ${problems.map((p) => p.message).join('; ')}`);
  }
}
