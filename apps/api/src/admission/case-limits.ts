/**
 * Measuring a case or transaction against the limits (limits.ts): its cards at every depth, the
 * nesting of its controllers, each packet and body, its stages (the engine's own stage plan gives
 * each stage's users and length). One pass over the document; nothing is compiled.
 */
import { planStages, type CaseLoad, type CaseProblem } from '@perftest/engine';
import { within, type AdmissionLimits } from './limits.js';

/** Controllers: their children are cards (docs/case-format.md, "Cards"). */
const CONTROLLERS = new Set([201, 202, 203, 204]);
const PACKET = 2;

/** What one pass over a document found. */
export interface Measure {
  /** Cards at every depth (a transaction reference counts as one card here). */
  cards: number;
  /** Deepest controller nesting, and where. */
  depth: number;
  depthPath: string;
  /** Transactions referenced (`content_id`), once per reference. */
  references: number[];
  /** The largest packet and body, and where. */
  packetBytes: number;
  packetPath: string;
  bodyBytes: number;
  bodyPath: string;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const bytes = (v: unknown): number => (v === undefined || v === null ? 0 : Buffer.byteLength(typeof v === 'string' ? v : JSON.stringify(v)));

function bodyBytes(packet: Record<string, unknown>): number {
  let n = bytes(packet.body);
  if (Array.isArray(packet.bodys)) for (const b of packet.bodys) if (isObject(b)) n += bytes(b.value);
  return n;
}

/** Measures the card lists `roots` (field name and value: `contents`, `setup_contents`). */
export function measure(roots: ReadonlyArray<readonly [string, unknown]>): Measure {
  const m: Measure = { cards: 0, depth: 0, depthPath: '', references: [], packetBytes: 0, packetPath: '', bodyBytes: 0, bodyPath: '' };
  const stack: Array<{ list: unknown; path: string; depth: number }> = roots.map(([path, list]) => ({ list, path, depth: 0 }));
  while (stack.length > 0) {
    const { list, path, depth } = stack.pop() as (typeof stack)[number];
    if (!Array.isArray(list)) continue;
    list.forEach((card: unknown, i) => {
      if (!isObject(card)) return;
      const at = `${path}[${i}]`;
      m.cards++;
      if (typeof card.content_id === 'number' && card.content_id !== 0) m.references.push(card.content_id);
      if (typeof card.data_type === 'number' && CONTROLLERS.has(card.data_type)) {
        if (depth + 1 > m.depth) {
          m.depth = depth + 1;
          m.depthPath = at;
        }
        const data = isObject(card.data) ? card.data : {};
        stack.push({ list: data.contents, path: `${at}.data.contents`, depth: depth + 1 });
        if (Array.isArray(data.branches)) {
          data.branches.forEach((b: unknown, j) => {
            if (isObject(b)) stack.push({ list: b.contents, path: `${at}.data.branches[${j}].contents`, depth: depth + 1 });
          });
        }
        return;
      }
      if (!Array.isArray(card.content)) return;
      card.content.forEach((item: unknown, j) => {
        if (!isObject(item) || item.content_type !== PACKET || !isObject(item.content)) return;
        const packet = item.content;
        const size = bytes(packet);
        if (size > m.packetBytes) {
          m.packetBytes = size;
          m.packetPath = `${at}.content[${j}]`;
        }
        const body = bodyBytes(packet);
        if (body > m.bodyBytes) {
          m.bodyBytes = body;
          m.bodyPath = `${at}.content[${j}].content`;
        }
      });
    });
  }
  return m;
}

/** Throws the 400 of the first limit `m` (of `label`, e.g. `case "login"`) exceeds, cards counted as `cards`. */
export function checkMeasure(limits: AdmissionLimits, label: string, m: Measure, cards = m.cards): void {
  within(limits, 'cardsPerCase', `the number of cards of ${label}`, cards);
  within(limits, 'nesting', `the controller nesting of ${label} (at ${m.depthPath})`, m.depth);
  within(limits, 'packetBytes', `the size in bytes of the packet ${m.packetPath} of ${label}`, m.packetBytes);
  within(limits, 'bodyBytes', `the size in bytes of the body ${m.bodyPath} of ${label}`, m.bodyBytes);
}

/** A stage plan's figures: the peak users and the seconds of its stages by duration. */
export interface LoadFigures {
  users: number;
  seconds: number;
}

/** One entry of a load timeline, as the engine's stage plan and a prepared case both give it. */
export interface PlanEntry {
  stageIndex: number;
  maxUsers: number;
  /** Seconds; null or Infinity for a stage by count. */
  duration: number | null;
}

/**
 * Checks the stages of `label` (count, users per stage, length) on `planned`, its timeline when
 * already planned (a start's prepared case), else on the engine's stage plan of `load`; returns its
 * figures (undefined when it cannot be planned: the compile check reports why).
 */
export function checkStages(limits: AdmissionLimits, label: string, load: CaseLoad, planned?: readonly PlanEntry[]): LoadFigures | undefined {
  within(limits, 'stagesPerCase', `the number of stages of ${label}`, load.stages?.length ?? 0);
  let entries: readonly PlanEntry[] | undefined = planned;
  if (entries === undefined) {
    const problems: CaseProblem[] = [];
    entries = planStages(load, problems)?.stages;
  }
  if (entries === undefined) return undefined;
  let seconds = 0;
  let users = 0;
  for (const stage of entries) {
    within(limits, 'usersPerStage', `the users of stages[${stage.stageIndex}] of ${label}`, stage.maxUsers);
    if (stage.duration !== null && Number.isFinite(stage.duration)) seconds += stage.duration;
    users = Math.max(users, stage.maxUsers);
  }
  within(limits, 'runSeconds', `the duration in seconds of ${label}`, seconds);
  return { users, seconds };
}
