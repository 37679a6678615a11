/**
 * What a case run runs: the case with the project's variables and the transactions it references,
 * snapshotted at the start, and prepared there once (the engine's prepareCase: stage plan and
 * compiled case, with every problem of either) before anything is dispatched. The prepared case is
 * what `case_runs.input` keeps and every worker, step feed and report reads.
 */
import { prepareCase, type CaseProblem } from '@perftest/engine';
import type { CardInfo, CaseInfoDetail, PreparedCase, Transaction, VariableDetail } from '@perftest/model';

/** The snapshot of a case at the start of its run, before it is prepared. */
export interface CaseInput {
  case: CaseInfoDetail;
  variables: VariableDetail[];
  transactions: Transaction[];
}

/** What `case_runs.input` holds: a prepared case, or (runs started by older versions) the raw snapshot. */
export type StoredCaseInput = PreparedCase | CaseInput;

/** The outcome of checking a case input: the prepared case and its request cards, or every problem. */
export type CheckedCase = { ok: true; prepared: PreparedCase; cards: CardInfo[] } | { ok: false; problems: CaseProblem[] };

/** Prepares the case once for its run (stage plan and compiled case, checked together). */
export async function checkCaseInput(input: CaseInput): Promise<CheckedCase> {
  const result = await prepareCase(input);
  return result.ok ? { ok: true, prepared: result.prepared, cards: result.prepared.cards } : result;
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

