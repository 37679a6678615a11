/**
 * The load-shape preview, `POST /v1/{project_id}/load-shape` (docs/live.md): a case's stages in,
 * the users or TPS its stage plan will apply second by second out, so that what a stage editor
 * draws is what will run.
 */
import { Type, type Static } from '@sinclair/typebox';
import { TestCaseStage } from './case.js';
import { Nullable, ProjectId, SuccessEnvelope } from './common.js';

/** Most points a load shape holds (longer plans are downsampled, keeping each span's low and high). */
export const LOAD_SHAPE_MAX_POINTS = 1000;
/** Most stages a preview accepts (as many as a case holds). */
export const LOAD_SHAPE_MAX_STAGES = 1024;

/** Path of the endpoint. */
export const LoadShapeParams = Type.Object({ project_id: ProjectId });
export type LoadShapeParams = Static<typeof LoadShapeParams>;

/** Body: the load fields of a case, as a case holds them. */
export const LoadShapeRequest = Type.Object({
  stages: Type.Array(TestCaseStage, { maxItems: LOAD_SHAPE_MAX_STAGES }),
  increase_setting: Type.Optional(Nullable(Type.Array(Type.Any(), { maxItems: LOAD_SHAPE_MAX_STAGES }))),
});
export type LoadShapeRequest = Static<typeof LoadShapeRequest>;

/** One point: at `t` seconds since stage 0 started, stage `stage` applies `users` or `tps`. */
export const LoadShapePoint = Type.Object({
  t: Type.Number(),
  /** Index in the request's `stages` (the sub-phases of a gradient stage share it). */
  stage: Type.Integer(),
  /** Target virtual users (users modes: 0, 2, 3, 5, 7); null in TPS modes. */
  users: Nullable(Type.Number()),
  /** Target iterations per second (TPS modes: 1, 4, 6); null in users modes. */
  tps: Nullable(Type.Number()),
});
export type LoadShapePoint = Static<typeof LoadShapePoint>;

/** One entry of the plan's timeline (a gradient stage gives one per sub-phase). */
export const LoadShapeStage = Type.Object({
  stage: Type.Integer(),
  sub_phase: Type.Integer(),
  /** Where the entry starts on the points' time axis, in seconds. */
  start: Type.Number(),
  /** Seconds it lasts; null for a stage run by count (drawn over its ramp-up, at least 1 s). */
  duration: Nullable(Type.Number()),
  kind: Type.Union([Type.Literal('users'), Type.Literal('tps')]),
  by_count: Type.Boolean(),
  /** Iterations of a stage run by count (0 otherwise). */
  count: Type.Integer(),
  /** Users the entry may need at once (the user pool of a TPS stage). */
  max_users: Type.Integer(),
});
export type LoadShapeStage = Static<typeof LoadShapeStage>;

/** The answer. */
export const LoadShapeResponse = Type.Object({
  ...SuccessEnvelope,
  /** Seconds the plan lasts; null when a stage runs by count (its length depends on the target). */
  duration: Nullable(Type.Number()),
  /** Users the run may need at once: the highest ceiling of any stage. */
  max_users: Type.Integer(),
  stages: Type.Array(LoadShapeStage),
  /** In time order, at most LOAD_SHAPE_MAX_POINTS. */
  points: Type.Array(LoadShapePoint),
});
export type LoadShapeResponse = Static<typeof LoadShapeResponse>;
