/**
 * Everything a run needs before its first user starts, built from the API's shapes: the compiled case
 * (compile/) and its stage timeline (pressure/stage-plan.ts). Every problem of either is collected;
 * nothing runs when there is one.
 */
import type { CaseInfoDetail, Transaction, VariableDetail } from '@perftest/model';
import { compileCase } from '../compile/compile-case.js';
import { planStages, type StagePlan } from '../pressure/stage-plan.js';
import type { CaseProblem, EngineOptions } from '../protocols/driver.js';
import type { CompiledCase } from '../types.js';

/** What a case run is made from. */
export interface RunInput {
  case: CaseInfoDetail;
  variables?: readonly VariableDetail[];
  transactions?: readonly Transaction[];
}

/** A case ready to run, or why it cannot. */
export type Prepared =
  | { ok: true; compiled: CompiledCase; plan: StagePlan }
  | { ok: false; problems: CaseProblem[] };

/** Compiles the case and plans its stages. */
export function prepareRun(input: RunInput, options: EngineOptions): Prepared {
  const problems: CaseProblem[] = [];
  const plan = planStages(input.case, problems);
  const result = compileCase({
    case: input.case,
    variables: [...(input.variables ?? [])],
    transactions: [...(input.transactions ?? [])],
    options,
  });
  if (!result.ok) problems.push(...result.problems);
  if (problems.length > 0 || plan === undefined || !result.ok) {
    if (result.ok) void result.compiled.close();
    return { ok: false, problems };
  }
  return { ok: true, compiled: result.compiled, plan };
}

/** Thrown by startRun when the case cannot run; `problems` lists every reason. */
export class CaseProblemsError extends Error {
  override readonly name = 'CaseProblemsError';
  constructor(readonly problems: readonly CaseProblem[]) {
    super(`the case cannot run: ${problems.map((p) => p.message).join('; ')}`);
  }
}
