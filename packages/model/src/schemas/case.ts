/**
 * A case's script and load plan as the reference (4.3.3, 4.5.x), docs/case-format.md and
 * docs/pressure-modes.md define them. Everything here is stored verbatim and read back verbatim;
 * unknown fields are kept.
 */
import { Type, type Static } from '@sinclair/typebox';
import { Nullable } from './common.js';

/** One request header or form item. */
export const ContentHeader = Type.Object({
  key: Nullable(Type.String()),
  value: Nullable(Type.Any()),
});
export type ContentHeader = Static<typeof ContentHeader>;

/** A packet (`content_type` 2): one protocol request. */
export const ContentInfo = Type.Object({
  protocol_type: Type.Optional(Nullable(Type.Integer())),
  name: Type.Optional(Nullable(Type.String())),
  method: Type.Optional(Nullable(Type.String())),
  url: Type.Optional(Nullable(Type.String())),
  http_version: Type.Optional(Nullable(Type.String())),
  headers: Type.Optional(Nullable(Type.Array(ContentHeader))),
  body_type: Type.Optional(Nullable(Type.Integer())),
  bodys: Type.Optional(Nullable(Type.Array(Type.Any()))),
  body: Type.Optional(Nullable(Type.Any())),
  connect_timeout: Type.Optional(Nullable(Type.Integer())),
  connect_type: Type.Optional(Nullable(Type.Integer())),
  return_timeout: Type.Optional(Nullable(Type.Integer())),
  return_timeout_param: Type.Optional(Nullable(Type.Any())),
  check_end_type: Type.Optional(Nullable(Type.Any())),
  check_end_length: Type.Optional(Nullable(Type.Any())),
  check_end_str: Type.Optional(Nullable(Type.Any())),
  rtmp_url: Type.Optional(Nullable(Type.String())),
  flv_url: Type.Optional(Nullable(Type.String())),
  bitrate_type: Type.Optional(Nullable(Type.Integer())),
  duration: Type.Optional(Nullable(Type.Integer())),
  retry_delay: Type.Optional(Nullable(Type.Integer())),
  retry_time: Type.Optional(Nullable(Type.Integer())),
});
export type ContentInfo = Static<typeof ContentInfo>;

/**
 * A sub-item of a card: 1 think time, 2 packet, 3 checkpoint, 4 extraction. Its `content` is a
 * ContentInfo for packets and the objects of docs/case-format.md ("Cards") for the others.
 */
export const Content = Type.Object({
  content_type: Type.Optional(Nullable(Type.Integer())),
  content: Type.Optional(Nullable(Type.Any())),
});
export type Content = Static<typeof Content>;

/** A card of a case or transaction script (`data_type` 0, 1, 201, 202, 203, 204, 301, 302). */
export const Contents = Type.Object({
  content_id: Type.Optional(Nullable(Type.Integer())),
  content: Type.Optional(Nullable(Type.Array(Content))),
  index: Type.Optional(Nullable(Type.Integer())),
  selected_temp_name: Type.Optional(Nullable(Type.String())),
  data: Type.Optional(Nullable(Type.Any())),
  data_type: Type.Optional(Nullable(Type.Integer())),
  conditions: Type.Optional(Nullable(Type.Any())),
  is_disabled: Type.Optional(Nullable(Type.Boolean())),
});
export type Contents = Static<typeof Contents>;

/** One KPI expectation of a peak-load stage. */
export const StageKpiItem = Type.Object({
  comparison: Type.Optional(Nullable(Type.String())),
  value: Type.Optional(Nullable(Type.Number())),
});
export const StageKpiItems = Type.Object({
  average_response_time: Type.Optional(Nullable(StageKpiItem)),
  success_rate: Type.Optional(Nullable(StageKpiItem)),
});
export type StageKpiItems = Static<typeof StageKpiItems>;

/** A pressure phase. Times are seconds; see docs/pressure-modes.md. */
export const TestCaseStage = Type.Object({
  name: Type.Optional(Nullable(Type.String())),
  operate_mode: Type.Optional(Nullable(Type.Integer({ minimum: 0, maximum: 1 }))),
  pressure_mode: Type.Optional(Nullable(Type.Integer({ minimum: 0, maximum: 7 }))),
  time: Type.Optional(Nullable(Type.Integer({ minimum: 0 }))),
  start_time: Type.Optional(Nullable(Type.Integer())),
  end_time: Type.Optional(Nullable(Type.Integer())),
  issue_num: Type.Optional(Nullable(Type.Integer({ minimum: 0 }))),
  count: Type.Optional(Nullable(Type.Integer({ minimum: 0 }))),
  tps_value: Type.Optional(Nullable(Type.Number({ minimum: 0 }))),
  current_user_num: Type.Optional(Nullable(Type.Integer({ minimum: 0 }))),
  current_tps: Type.Optional(Nullable(Type.Number({ minimum: 0 }))),
  voltage_regulating_mode: Type.Optional(Nullable(Type.Integer({ minimum: 0, maximum: 1 }))),
  maximum: Type.Optional(Nullable(Type.Number({ minimum: 0 }))),
  minimum: Type.Optional(Nullable(Type.Number({ minimum: 0 }))),
  loop_count: Type.Optional(Nullable(Type.Integer({ minimum: 0 }))),
  max_duration: Type.Optional(Nullable(Type.Integer({ minimum: 0 }))),
  ramp_up: Type.Optional(Nullable(Type.Integer({ minimum: 0 }))),
  peak_load_kpis: Type.Optional(Nullable(StageKpiItems)),
  step_duration: Type.Optional(Nullable(Type.Integer({ minimum: 0 }))),
  step_size: Type.Optional(Nullable(Type.Integer({ minimum: 0 }))),
});
export type TestCaseStage = Static<typeof TestCaseStage>;

/** Text documentation of a case (CaseDoc). */
export const CaseDoc = Type.Object({
  description: Type.Optional(Nullable(Type.String())),
  label_names: Type.Optional(Nullable(Type.Array(Type.String()))),
  preparation: Type.Optional(Nullable(Type.String())),
  rank: Type.Optional(Nullable(Type.Integer())),
  status_code: Type.Optional(Nullable(Type.Integer())),
  steps: Type.Optional(Nullable(Type.Array(Type.Any()))),
});

/** A whole case: the engine's input and the API's stored shape. */
export const CaseInfoDetail = Type.Object({
  case_id: Type.Optional(Nullable(Type.Integer())),
  name: Type.Optional(Nullable(Type.String())),
  case_type: Type.Optional(Nullable(Type.Integer())),
  contents: Type.Optional(Nullable(Type.Array(Contents))),
  setup_contents: Type.Optional(Nullable(Type.Array(Contents))),
  for_loop_params: Type.Optional(Nullable(Type.Array(Type.Any()))),
  increase_setting: Type.Optional(Nullable(Type.Array(Type.Any()))),
  stages: Type.Optional(Nullable(Type.Array(TestCaseStage, { maxItems: 1024 }))),
  status: Type.Optional(Nullable(Type.Integer())),
  temp_id: Type.Optional(Nullable(Type.Integer())),
  sort: Type.Optional(Nullable(Type.Integer())),
  directory_id: Type.Optional(Nullable(Type.Integer())),
  user_replicas: Type.Optional(Nullable(Type.Integer())),
  collect_log_policy: Type.Optional(Nullable(Type.Integer())),
  link_app_list: Type.Optional(Nullable(Type.Array(Type.Integer()))),
  case_info: Type.Optional(Nullable(CaseDoc)),
});
export type CaseInfoDetail = Static<typeof CaseInfoDetail>;

/** A global variable of a project (VariableDetail). `variable` holds the values. */
export const VariableDetail = Type.Object({
  id: Type.Optional(Nullable(Type.Integer())),
  name: Type.String(),
  variable_type: Type.Integer(),
  variable_mode: Type.Optional(Nullable(Type.Integer({ minimum: 0, maximum: 1 }))),
  share_mode: Type.Optional(Nullable(Type.Integer({ minimum: 0, maximum: 1 }))),
  variable: Type.Optional(Nullable(Type.Array(Type.Any()))),
  file_size: Type.Optional(Nullable(Type.Integer())),
  is_quoted: Type.Optional(Nullable(Type.Boolean())),
});
export type VariableDetail = Static<typeof VariableDetail>;

/** A transaction (temp): a reusable step list referenced by `content_id`. */
export const Transaction = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  contents: Type.Array(Contents),
});
export type Transaction = Static<typeof Transaction>;
