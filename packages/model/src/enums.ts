/** `pressure_mode` of a stage (docs/pressure-modes.md, "The eight modes"). */
export const PressureMode = {
  Concurrency: 0,
  Tps: 1,
  PeakLoad: 2,
  SurgeConcurrency: 3,
  SurgeTps: 4,
  FlappingConcurrency: 5,
  FlappingTps: 6,
  IntelligentPeak: 7,
} as const;
export type PressureMode = (typeof PressureMode)[keyof typeof PressureMode];

/** `operate_mode` of a stage: run for `time` seconds or for `count` iterations. */
export const OperateMode = { ByDuration: 0, ByCount: 1 } as const;
export type OperateMode = (typeof OperateMode)[keyof typeof OperateMode];

/** `protocol_type` of a packet (docs/protocols.md, "Protocol types"). */
export const ProtocolType = {
  Http: 1,
  Https: 2,
  Tcp: 3,
  Udp: 4,
  HlsRtmp: 7,
  WebSocket: 9,
  HttpFlv: 10,
  Mqtt: 11,
} as const;
export type ProtocolType = (typeof ProtocolType)[keyof typeof ProtocolType];

/** `data_type` of a card (docs/case-format.md, "Cards"). */
export const CardType = {
  Request: 0,
  DataInstruction: 1,
  Loop: 201,
  Condition: 202,
  VuPercentage: 203,
  Throughput: 204,
  Rendezvous: 301,
  Plugin: 302,
} as const;
export type CardType = (typeof CardType)[keyof typeof CardType];

/** `content_type` of a card's sub-item. */
export const ContentType = { ThinkTime: 1, Packet: 2, Checkpoint: 3, Extraction: 4 } as const;
export type ContentType = (typeof ContentType)[keyof typeof ContentType];

/** `variable_type` of a global variable. */
export const VariableType = { Integer: 1, Enumeration: 2, File: 3, Text: 5 } as const;
export type VariableType = (typeof VariableType)[keyof typeof VariableType];

/** `run_status` / `temp_running_status` (docs/run-lifecycle.md, "Statuses"). */
export const RunStatus = {
  Running: 0,
  Paused: 1,
  Finished: 2,
  Aborted: 3,
  StoppedByUser: 4,
  Stopping: 5,
  Waiting: 9,
} as const;
export type RunStatus = (typeof RunStatus)[keyof typeof RunStatus];

/** Run statuses of a run (task or case) that has not ended: waiting, running, stopping. */
export const ACTIVE_RUN_STATUSES: readonly RunStatus[] = [RunStatus.Waiting, RunStatus.Running, RunStatus.Stopping];
/** Run statuses of an ended run. */
export const ENDED_RUN_STATUSES: readonly RunStatus[] = [RunStatus.Finished, RunStatus.Aborted, RunStatus.StoppedByUser];
/** Run statuses of a case run that has been dispatched and not ended: running, stopping. */
export const DISPATCHED_RUN_STATUSES: readonly RunStatus[] = [RunStatus.Running, RunStatus.Stopping];

/** `(a, b, c)` of constant values for an SQL `in` (numbers as they are, texts quoted). */
export function sqlList(values: readonly (number | string)[]): string {
  return `(${values.map((v) => (typeof v === 'number' ? String(v) : `'${v.replace(/'/g, "''")}'`)).join(', ')})`;
}

/**
 * The one outcome each request ends in (docs/reports.md, "Response-code classes").
 * Order matters: it is the index of the outcome's counter in encoded intervals.
 */
export const OUTCOMES = [
  'success',
  'checkPointFailed',
  'parsedFailed',
  'refusedFailed',
  'timeout',
  'othersFailed',
] as const;
export type Outcome = (typeof OUTCOMES)[number];
