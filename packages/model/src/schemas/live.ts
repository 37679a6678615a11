/**
 * The live stream of a task run, `GET /v1/{project_id}/task-run-infos/{task_run_id}/live`
 * (docs/live.md): server-sent events, one `interval` per second per case run, `status` when a case
 * run's status changes, `end` once the task run has ended. These schemas describe the `data` of
 * each event.
 */
import { Type, type Static } from '@sinclair/typebox';
import { Nullable, ProjectId } from './common.js';

/** Path of the endpoint. */
export const LiveParams = Type.Object({
  project_id: ProjectId,
  task_run_id: Type.Integer({ minimum: 1 }),
});
export type LiveParams = Static<typeof LiveParams>;

/** `SECOND:CASE_RUN_ID` (an event's id) or `SECOND` (after every event of that second). */
export const LIVE_EVENT_ID_PATTERN = '^[0-9]{1,15}(:[0-9]{1,15})?$';

/** Headers of the endpoint: where a reconnecting client resumes. */
export const LiveHeaders = Type.Object({
  'last-event-id': Type.Optional(Type.String({ pattern: LIVE_EVENT_ID_PATTERN, maxLength: 31 })),
});

/** Response times of a second or of a card, in milliseconds. */
export const LiveResponseTimes = Type.Object({
  avg: Type.Number(),
  p50: Type.Number(),
  p90: Type.Number(),
  p99: Type.Number(),
  max: Type.Number(),
});

/** Failed requests by outcome (the report's failedAssert ... failedOthers). */
export const LiveErrors = Type.Object({
  checkPointFailed: Type.Integer(),
  parsedFailed: Type.Integer(),
  refusedFailed: Type.Integer(),
  timeout: Type.Integer(),
  othersFailed: Type.Integer(),
});

/** Responses by status class. */
export const LiveCodes = Type.Object({
  '1xx': Type.Integer(),
  '2xx': Type.Integer(),
  '3xx': Type.Integer(),
  '4xx': Type.Integer(),
  '5xx': Type.Integer(),
});

/** One request card, cumulative since the case run began (as the report's detail row). */
export const LiveCard = Type.Object({
  key: Type.String(),
  name: Type.String(),
  count: Type.Integer(),
  /** Successful requests per second of data so far. */
  tps: Type.Number(),
  avg: Type.Number(),
  p90: Type.Number(),
  p99: Type.Number(),
  /** Failed requests (every outcome but success). */
  errors: Type.Integer(),
});
export type LiveCard = Static<typeof LiveCard>;

/** `event: interval`: one second of one case run (every share and worker merged). */
export const LiveInterval = Type.Object({
  case_run_id: Type.Integer(),
  /** Unix epoch second covered. */
  second: Type.Integer(),
  /** The same second as ISO 8601. */
  time: Type.String(),
  /** Active virtual users at the end of the second. */
  users: Type.Integer(),
  /** Iterations started in the second, and starts dropped because no user was free (TPS modes). */
  started: Type.Integer(),
  dropped: Type.Integer(),
  /** Extra key: starts dropped since the case run began, as of the rows received so far. */
  dropped_total: Type.Optional(Type.Integer()),
  /**
   * Extra key: requests in flight at a stop or the plan's end that were aborted when the grace was
   * over (in the last second a share wrote); not counted in `rps`.
   */
  aborted: Type.Integer(),
  /** Index of the stage running at the end of the second. */
  stage: Type.Integer(),
  /** Requests that completed in the second, and those that succeeded. */
  rps: Type.Integer(),
  tps: Type.Integer(),
  /** Case iterations that completed in the second. */
  iterations: Type.Integer(),
  rt: LiveResponseTimes,
  errors: LiveErrors,
  codes: LiveCodes,
  sent_bytes: Type.Integer(),
  rec_bytes: Type.Integer(),
  /** Per request card, cumulative; left out of replayed events older than the last 60 s. */
  cards: Type.Optional(Type.Array(LiveCard)),
});
export type LiveInterval = Static<typeof LiveInterval>;

/** `event: status`: a case run's status (RunStatus), with the final cards once it has ended. */
export const LiveStatus = Type.Object({
  case_run_id: Type.Integer(),
  case_id: Nullable(Type.Integer()),
  name: Type.String(),
  status: Type.Integer(),
  reason: Nullable(Type.String()),
  cards: Type.Optional(Type.Array(LiveCard)),
});
export type LiveStatus = Static<typeof LiveStatus>;

/** `event: end`: the task run has ended; the stream closes after it. */
export const LiveEnd = Type.Object({
  task_run_id: Type.Integer(),
  status: Type.Integer(),
  reason: Nullable(Type.String()),
});
export type LiveEnd = Static<typeof LiveEnd>;

/** The data of any event of the stream (for the API description). */
export const LiveEventData = Type.Union([LiveInterval, LiveStatus, LiveEnd]);
