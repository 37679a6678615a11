/**
 * What a case run runs: the case with the project's variables and the transactions it references,
 * snapshotted at the start (`case_runs.input`), and the check made on it before anything is
 * dispatched: the stage plan and the compiled case, with every problem of either.
 */
import { compileCase, planStages, type CaseProblem } from '@perftest/engine';
import type { CardInfo, CaseInfoDetail, Transaction, VariableDetail } from '@perftest/model';

/** The snapshot a case run keeps and every worker runs. */
export interface CaseInput {
  case: CaseInfoDetail;
  variables: VariableDetail[];
  transactions: Transaction[];
}

/** The outcome of checking a case input: its request cards, or every problem. */
export type CheckedCase = { ok: true; cards: CardInfo[] } | { ok: false; problems: CaseProblem[] };

/** Plans the stages and compiles the case (then releases what compiling opened). */
export async function checkCaseInput(input: CaseInput): Promise<CheckedCase> {
  const problems: CaseProblem[] = [];
  planStages(input.case, problems);
  const result = compileCase({ case: input.case, variables: input.variables, transactions: input.transactions });
  if (!result.ok) return { ok: false, problems: [...problems, ...result.problems] };
  const cards = [...result.compiled.cards];
  await result.compiled.close();
  return problems.length > 0 ? { ok: false, problems } : { ok: true, cards };
}

/** Every problem in one line: `path: message; path: message`. */
export function describeProblems(problems: readonly CaseProblem[]): string {
  return problems.map((p) => (p.path ? `${p.path}: ${p.message}` : p.message)).join('; ');
}

/**
 * The transactions of `all` that `kase` uses, directly or through other transactions: every
 * non-zero `content_id` found in its cards names one (ids naming nothing are left to the compiler).
 */
export function referencedTransactions(kase: CaseInfoDetail, all: readonly Transaction[]): Transaction[] {
  const byId = new Map(all.map((t) => [t.id, t]));
  const used = new Set<number>();
  const pending: unknown[] = [kase.contents, kase.setup_contents];
  while (pending.length > 0) {
    const value = pending.pop();
    if (Array.isArray(value)) {
      for (const item of value) pending.push(item);
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    for (const [key, child] of Object.entries(value)) {
      if (key === 'content_id' && typeof child === 'number' && child !== 0 && !used.has(child)) {
        const transaction = byId.get(child);
        if (transaction === undefined) continue;
        used.add(child);
        pending.push(transaction.contents);
      } else if (typeof child === 'object') {
        pending.push(child);
      }
    }
  }
  return all.filter((t) => used.has(t.id));
}

