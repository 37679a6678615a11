/**
 * Admission (docs/security.md, "Limits"): the one place where what a request asks for is held
 * against the limits and the target policy before anything is stored or run. Cases, transactions
 * and variables are checked when they are saved (what their own data allows: cards, nesting,
 * packets, bodies, stages, users per stage, duration, sizes); every start is checked again with the
 * run's whole picture (users of the run, duration of its cases in series, referenced transactions,
 * and whether every request of it goes to a target the policy denies).
 */
import type { TargetPolicy } from '@perftest/engine';
import { apiError, type CaseInfoDetail, type Transaction } from '@perftest/model';
import type { CheckedCaseToStart, LiveCapacity, TaskToStart } from '@perftest/runner';
import { checkMeasure, checkStages, measure, type LoadFigures, type Measure } from './case-limits.js';
import { within, type AdmissionLimits } from './limits.js';

/** A case document as saved (the fields admission reads). */
type CaseDoc = Pick<CaseInfoDetail, 'contents' | 'setup_contents' | 'stages' | 'increase_setting'>;

/** A variable as saved (its name and values). */
interface VariableLike {
  name?: unknown;
  variable?: unknown;
}

/** How many URLs a target refusal lists. */
const LISTED_TARGETS = 3;

/** No capacity known: no live worker, so nothing to hold a start against (it waits for one). */
const NO_LIVE_CAPACITY: LiveCapacity = { workers: 0, users: 0, usersInUse: 0 };

/** The checks of one server, with its limits, target policy and the live capacity of the run life cycle. */
export class Admission {
  constructor(
    readonly limits: AdmissionLimits,
    private readonly targetPolicy: () => TargetPolicy,
    /** What the live workers hold (liveCapacity of packages/runner). */
    private readonly capacity: () => Promise<LiveCapacity> = async () => NO_LIVE_CAPACITY,
  ) {}

  /** A case about to be saved: throws the 400 of the first limit it exceeds. */
  checkCase(doc: CaseDoc, name: string): void {
    const label = `case "${name}"`;
    checkMeasure(this.limits, label, this.measureCase(doc));
    checkStages(this.limits, label, doc);
  }

  /** A transaction about to be saved. */
  checkTransaction(doc: { contents?: unknown }, name: string): void {
    checkMeasure(this.limits, `transaction "${name}"`, measure([['contents', doc.contents]]));
  }

  /** Global variables about to be saved. */
  checkVariables(variables: readonly VariableLike[]): void {
    variables.forEach((v, i) => {
      const size = Buffer.byteLength(JSON.stringify(v.variable ?? null));
      within(this.limits, 'variableBytes', `the size in bytes of variable "${typeof v.name === 'string' ? v.name : i}"`, size);
    });
  }

  /**
   * The run life cycle's admission hook (AdmitStart of packages/runner): every case with the
   * transactions it references, its variables, the run's users and duration, the users against what
   * the live workers hold together (none live: the run waits for one), then the targets.
   */
  readonly admitStart = async (task: TaskToStart, cases: readonly CheckedCaseToStart[]): Promise<void> => {
    const figures: LoadFigures[] = [];
    const checkedVariables = new Set<unknown>();
    for (const c of cases) {
      const label = `case "${c.name}" (${c.caseId})`;
      const kase = c.input.case;
      const own = this.measureCase(kase);
      checkMeasure(this.limits, label, own, own.cards + referencedCards(own, c.input.transactions, this.limits, label));
      const load = checkStages(this.limits, label, kase, c.prepared?.plan);
      if (load !== undefined) figures.push(load);
      if (!checkedVariables.has(c.input.variables)) {
        checkedVariables.add(c.input.variables);
        this.checkVariables(c.input.variables);
      }
    }
    const users = task.parallel ? figures.reduce((sum, f) => sum + f.users, 0) : Math.max(0, ...figures.map((f) => f.users));
    const seconds = task.parallel ? Math.max(0, ...figures.map((f) => f.seconds)) : figures.reduce((sum, f) => sum + f.seconds, 0);
    const how = task.parallel ? 'its cases in parallel' : 'its cases one after the other';
    within(this.limits, 'usersPerRun', `the users of the run of task ${task.taskId} (${how})`, users);
    within(this.limits, 'runSeconds', `the duration in seconds of the run of task ${task.taskId} (${how})`, seconds);
    const live = await this.capacity();
    if (live.workers > 0 && users > live.users) {
      throw apiError('LIMIT_EXCEEDED', {
        what: `the users of the run of task ${task.taskId} (${how})`,
        asked: users,
        limit: `PERFTEST_WORKER_MEMORY_MB (what the ${live.workers} live worker${live.workers === 1 ? '' : 's'} can hold)`,
        allowed: live.users,
      });
    }
    this.checkTargets(cases);
  };

  /** Refuses a start whose every request goes to an address literal the policy denies. */
  private checkTargets(cases: readonly CheckedCaseToStart[]): void {
    const policy = this.targetPolicy();
    const denials: string[] = [];
    for (const c of cases) {
      for (const card of c.cards) {
        const denial = policy.urlDenial(card.url, card.protocolType === 2 ? 'https' : 'http');
        if (denial === undefined) return;
        denials.push(`${card.name || card.url}: ${denial}`);
      }
    }
    if (denials.length === 0) return;
    const more = denials.length > LISTED_TARGETS ? ` (and ${denials.length - LISTED_TARGETS} more)` : '';
    throw apiError('INVALID_CASE', {
      detail: `every request of the run goes to a target the policy denies: ${denials.slice(0, LISTED_TARGETS).join('; ')}${more}`,
    });
  }

  private measureCase(doc: CaseDoc): Measure {
    return measure([
      ['contents', doc.contents],
      ['setup_contents', doc.setup_contents],
    ]);
  }
}

/**
 * Cards the references of `m` bring in, each transaction measured once and checked as its own
 * document; a transaction referencing itself (directly or not) counts once (compiling refuses it).
 */
function referencedCards(m: Measure, transactions: readonly Transaction[], limits: AdmissionLimits, label: string): number {
  const byId = new Map(transactions.map((t) => [t.id, t]));
  const totals = new Map<number, number>();
  const visiting = new Set<number>();
  const total = (id: number): number => {
    const known = totals.get(id);
    if (known !== undefined) return known;
    const transaction = byId.get(id);
    if (transaction === undefined || visiting.has(id)) return 0;
    visiting.add(id);
    const inner = measure([['contents', transaction.contents]]);
    checkMeasure(limits, `transaction "${transaction.name}" of ${label}`, inner);
    let sum = inner.cards;
    for (const ref of inner.references) sum += total(ref);
    visiting.delete(id);
    totals.set(id, sum);
    return sum;
  };
  return m.references.reduce((sum, id) => sum + total(id), 0);
}
