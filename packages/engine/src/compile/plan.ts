/**
 * The compiled form of a case script: a tree of plan nodes, built once by compile-case.ts and
 * executed by each virtual user (vu/virtual-user.ts) with a plain loop per level.
 */
import type { CardInfo } from '@perftest/model';
import type { PreparedRequest } from '../protocols/driver.js';
import type { CompiledCheckpoint } from './checkpoint.js';
import type { Condition } from './controllers.js';
import type { Assignment } from './data-instruction.js';
import type { CompiledExtraction } from './extraction.js';
import type { WeightTable } from './weights.js';

/** A think time inside a request card: pacing relative to the start of the previous packet. */
export interface ThinkStep {
  readonly kind: 'think';
  readonly ms: number;
}

/** A packet with the checkpoints and extractions that follow it in its card. */
export interface PacketStep {
  readonly kind: 'packet';
  readonly card: CardInfo;
  readonly request: PreparedRequest;
  readonly checkpoints: CompiledCheckpoint[];
  readonly extractions: CompiledExtraction[];
  /** Extra attempts after a failed one (max over the packet's checkpoints). */
  retryTimes: number;
  retryIntervalMs: number;
  /** Whether checks or extractions read the response's headers or body. */
  needsResponse: boolean;
}

/** A step of a request card, in card order. */
export type RequestStep = ThinkStep | PacketStep;

/** data_type 0: a request card. */
export interface RequestNode {
  readonly kind: 'request';
  readonly steps: readonly RequestStep[];
}

/** data_type 1: a data instruction. */
export interface DataNode {
  readonly kind: 'data';
  readonly assignments: readonly Assignment[];
}

/** data_type 201: repeat `body` `count` times. */
export interface LoopNode {
  readonly kind: 'loop';
  readonly count: number;
  readonly body: readonly PlanNode[];
}

/** data_type 202: run `body` when the conditions hold (all, or any when `any`). */
export interface ConditionNode {
  readonly kind: 'condition';
  readonly conditions: readonly Condition[];
  readonly any: boolean;
  readonly body: readonly PlanNode[];
}

/** data_type 203: one branch per pass, chosen by weight (per user once when fixed, else per pass). */
export interface WeightNode {
  readonly kind: 'weights';
  readonly random: boolean;
  readonly table: WeightTable;
  readonly branches: readonly (readonly PlanNode[])[];
}

/** data_type 204: each pass over `body` takes one token of a run-wide bucket refilled at `rps`. */
export interface ThroughputNode {
  readonly kind: 'throughput';
  readonly key: string;
  readonly rps: number;
  readonly body: readonly PlanNode[];
}

/** data_type 301: wait until `users` users arrived or `timeoutMs` passed (0: no timeout). */
export interface RendezvousNode {
  readonly kind: 'rendezvous';
  readonly key: string;
  readonly users: number;
  readonly timeoutMs: number;
}

/** Any node of the compiled script. */
export type PlanNode =
  | RequestNode
  | DataNode
  | LoopNode
  | ConditionNode
  | WeightNode
  | ThroughputNode
  | RendezvousNode;

/** A whole compiled script: pre-steps and steps. */
export interface Plan {
  readonly setup: readonly PlanNode[];
  readonly contents: readonly PlanNode[];
}

