/**
 * compileCase: checks a case once, before the run, and turns it into a CompiledCase whose virtual
 * users execute a precompiled plan. An invalid case is rejected with every problem listed (path and
 * message), never discovered mid-run. The card format is documented in docs/case-format.md.
 */
import type { CardInfo, CaseInfoDetail, TestCaseStage, Transaction, VariableDetail } from '@perftest/model';
import { DEFAULT_ENGINE_OPTIONS, type CaseProblem, type EngineOptions } from '../protocols/driver.js';
import { DriverSet } from '../protocols/registry.js';
import type { CompiledCase, UserEnv, VirtualUser } from '../types.js';
import { PlanUser, type UserPlan } from '../vu/virtual-user.js';
import { CardCompiler } from './card-compiler.js';
import { GlobalVariables } from './global-variables.js';
import type { Plan, PlanNode } from './plan.js';

/** What compileCase reads: the case, the project's variables and transactions, engine options. */
export interface CompileInput {
  case: CaseInfoDetail;
  variables?: readonly VariableDetail[];
  transactions?: readonly Transaction[];
  options?: Partial<EngineOptions>;
}

/** The compiled case, or every problem that prevents running it. */
export type CompileResult = { ok: true; compiled: CompiledCase } | { ok: false; problems: CaseProblem[] };

class PlannedCase implements CompiledCase, UserPlan {
  constructor(
    readonly name: string,
    readonly cards: readonly CardInfo[],
    readonly setupCards: readonly CardInfo[],
    readonly stages: readonly TestCaseStage[],
    readonly plan: Plan,
    readonly globals: GlobalVariables,
    private readonly driverSet: DriverSet,
  ) {}

  drivers() {
    return this.driverSet.active;
  }

  createUser(env: UserEnv): VirtualUser {
    return new PlanUser(this, env);
  }

  close(): Promise<void> {
    return this.driverSet.close();
  }
}

function countPackets(nodes: readonly PlanNode[]): number {
  let n = 0;
  for (const node of nodes) {
    if (node.kind === 'request') n += node.steps.filter((s) => s.kind === 'packet').length;
    else if (node.kind === 'weights') n += node.branches.reduce((sum, b) => sum + countPackets(b), 0);
    else if ('body' in node) n += countPackets(node.body);
  }
  return n;
}

/** Compiles a case once before its run (see the file comment). */
export function compileCase(input: CompileInput): CompileResult {
  const problems: CaseProblem[] = [];
  const options: EngineOptions = { ...DEFAULT_ENGINE_OPTIONS, ...input.options };
  const source = input.case;
  if (source === null || typeof source !== 'object') {
    return { ok: false, problems: [{ path: 'case', message: 'the case is missing' }] };
  }
  const caseKey = String(source.case_id ?? source.name ?? 'case');
  const transactions = new Map<number, Transaction>();
  (input.transactions ?? []).forEach((t, i) => {
    if (transactions.has(t.id)) problems.push({ path: `transactions[${i}].id`, message: `transaction id ${t.id} is given twice` });
    else transactions.set(t.id, t);
  });
  const globals = new GlobalVariables(input.variables, caseKey, problems);
  const drivers = new DriverSet(options);
  const compiler = new CardCompiler({ drivers, options, problems, transactions, caseKey });
  const setupCards: CardInfo[] = [];
  const cards: CardInfo[] = [];
  const setup = compiler.compileList(source.setup_contents, 'setup_contents', 0, [], setupCards);
  const contents = compiler.compileList(source.contents, 'contents', 0, [], cards);
  if (problems.length === 0 && countPackets(contents) === 0) {
    problems.push({ path: 'contents', message: 'the case has no enabled request to run' });
  }
  if (problems.length > 0) {
    void drivers.close();
    return { ok: false, problems: dedupe(problems) };
  }
  const compiled = new PlannedCase(
    source.name ?? caseKey,
    cards,
    setupCards,
    source.stages ?? [],
    { setup, contents },
    globals,
    drivers,
  );
  return { ok: true, compiled };
}

/** The same transaction referenced twice reports its problems once per path, not per message. */
function dedupe(problems: CaseProblem[]): CaseProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.path}\u0000${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
