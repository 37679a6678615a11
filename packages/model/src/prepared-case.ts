/**
 * A case prepared for one case run: checked, planned and compiled once when the run starts, then
 * kept with the case run (`case_runs.input`) and handed as plain JSON to every worker, engine
 * thread, intelligent-peak step feed and report of that run, none of which plans it again.
 */
import type { PressureMode } from './enums.js';
import type { CardInfo } from './messages.js';
import type { CaseInfoDetail, TestCaseStage, Transaction, VariableDetail } from './schemas/case.js';

/** Version of the prepared form; a stored input without it (or of another) is prepared again. */
export const PREPARED_CASE_VERSION = 1;

/** One entry of a case's load timeline (a gradient stage gives one per sub-phase). */
export interface PreparedStage {
  /** Index in the case's `stages` (sub-phases of a gradient share it). */
  stageIndex: number;
  /** Sub-phase within a gradient stage (0 when none) and how many the stage has (1 when none). */
  subPhase: number;
  subPhases: number;
  /** The stage as its pressure mode reads it (a derived copy for gradient sub-phases). */
  stage: TestCaseStage;
  mode: PressureMode;
  /** Whether the target is users (closed model) or iterations per second (open model). */
  kind: 'users' | 'tps';
  /** Runs until `count` iterations completed instead of for `duration` seconds. */
  byCount: boolean;
  count: number;
  /** Seconds; null for a by-count stage. */
  duration: number | null;
  /** Offset from the case start in seconds; null once a by-count stage precedes it. */
  start: number | null;
  /** Ceiling of concurrent users the stage may need. */
  maxUsers: number;
  /** Regulated by hand (voltage_regulating_mode 1). */
  manual: boolean;
}

/** What a case run runs, prepared once: its snapshot, request cards and load timeline. */
export interface PreparedCase {
  /** PREPARED_CASE_VERSION. */
  prepared: number;
  case: CaseInfoDetail;
  /** The project's variables and the transactions the case references, as at the start. */
  variables: VariableDetail[];
  transactions: Transaction[];
  /** Request cards in case order (report rows, `content_method_url`). */
  cards: CardInfo[];
  plan: PreparedStage[];
}

/** Whether a stored case-run input is a prepared case of the current version. */
export function isPreparedCase(input: unknown): input is PreparedCase {
  return (
    typeof input === 'object' &&
    input !== null &&
    (input as { prepared?: unknown }).prepared === PREPARED_CASE_VERSION &&
    Array.isArray((input as { plan?: unknown }).plan) &&
    Array.isArray((input as { cards?: unknown }).cards)
  );
}
