/**
 * The merged (v2) reports of a task run (SDK operations show_merge_task_case,
 * show_merge_report_logs_outline, show_merge_case_detail, show_task_case_aw_chart). Keys are the SDK
 * models' wire names (`attribute_map`): camelCase in the case and request models (`awList`,
 * `caseAwId`, `testcaseId`, `detailDatas`, `MaxSuccessRateCheckPoint` ...), with `case_uri_i`, and
 * snake_case in the outline. Fields the SDK types as integers are integers on the wire.
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { Nullable, ProjectId } from './common.js';

/** Longest `detail_id` accepted in a chart path. */
export const DETAIL_ID_MAX = 64;

/** Path naming a task run. */
export const TaskRunParams = Type.Object({
  project_id: ProjectId,
  task_run_id: Type.Integer({ minimum: 1 }),
});
export type TaskRunParams = Static<typeof TaskRunParams>;

/** Path naming a case run of a task run. */
export const CaseRunParams = Type.Object({
  project_id: ProjectId,
  task_run_id: Type.Integer({ minimum: 1 }),
  case_run_id: Type.Integer({ minimum: 1 }),
});
export type CaseRunParams = Static<typeof CaseRunParams>;

/**
 * Path of a chart: `detail_id` is the case run's `testcaseId` (the whole case) or a request's
 * `caseAwId` (one request card).
 */
export const ChartParams = Type.Object({
  project_id: ProjectId,
  task_run_id: Type.Integer({ minimum: 1 }),
  case_run_id: Type.Integer({ minimum: 1 }),
  detail_id: Type.String({ minLength: 1, maxLength: DETAIL_ID_MAX }),
});
export type ChartParams = Static<typeof ChartParams>;

/** `datumType` of a merged-report entry: the case, a request card (an "aw"), or a transaction. */
export const DatumType = { Case: 0, Request: 1, Transaction: 2 } as const;

/** One request card of a case run (AwInfoDTO). */
export const AwInfo = Type.Object({ name: Type.String(), id: Type.String(), datumType: Type.Integer() });
export type AwInfo = Static<typeof AwInfo>;

/** One request card, or a transaction of them (DetailItem). */
export interface DetailItem {
  caseAwId: string;
  datumType: number;
  name: string;
  transactionId: string | null;
  awList: DetailItem[];
}
export const DetailItem = Type.Recursive((self) =>
  Type.Object({
    caseAwId: Type.String(),
    datumType: Type.Integer(),
    name: Type.String(),
    transactionId: Nullable(Type.String()),
    awList: Type.Array(self),
  }),
);

/** One case run of a task run with its request cards (CaseAwInfo). */
export const CaseAwInfo = Type.Object({
  aw: Type.Array(AwInfo),
  awList: Type.Array(DetailItem),
  caseAwId: Type.String(),
  caseUri: Nullable(Type.String()),
  case_uri_i: Type.String(),
  datumType: Type.Integer(),
  id: Type.String(),
  name: Type.String(),
  taskExecId: Type.String(),
  taskId: Type.String(),
  testcaseId: Type.String(),
  transactionList: Type.Array(DetailItem),
  /** Extra key: TPS starts the case run dropped (docs/reports.md, "Dropped starts"). */
  droppedStarts: Type.Optional(Type.Integer()),
});
export type CaseAwInfo = Static<typeof CaseAwInfo>;

/** `result` of show_merge_task_case (CaseReportSummary). */
export const CaseReportSummary = Type.Object({
  case_aw_info_list: Type.Array(CaseAwInfo),
  err_message: Type.String(),
});
export type CaseReportSummary = Static<typeof CaseReportSummary>;

/** Response times of the outline (ResponseTimeInfo), milliseconds. */
export const ResponseTimeInfo = Type.Object({
  avg_response_time: Type.Number(),
  avg_tp50: Type.Integer(),
  avg_tp90: Type.Integer(),
  max_response_time: Type.Integer(),
  min_response_time: Type.Integer(),
});

/** The outline's headline figures (CoreIndex). */
export const CoreIndex = Type.Object({
  error_request_count: Type.Integer(),
  max_rps: Type.Integer(),
  max_users: Type.Integer(),
  request_count: Type.Integer(),
  rps: Type.Number(),
  success_count: Type.Integer(),
  success_rate: Type.Integer(),
  trans_tps: Type.Number(),
  response_time: ResponseTimeInfo,
  /**
   * Extra keys (SDKs ignore them): TPS starts dropped because every virtual user was busy past the
   * start wait, over the task run and in its worst second (case runs' seconds added).
   */
  dropped_starts: Type.Optional(Type.Integer()),
  max_dropped_starts_per_second: Type.Optional(Type.Integer()),
  /** Extra key: requests aborted in flight by a stop, over the task run (docs/run-lifecycle.md#stop). */
  aborted_requests: Type.Optional(Type.Integer()),
});

/** Failures by kind (ExceptionResponseSum). */
export const ExceptionResponseSum = Type.Object({
  failed_assert: Type.Integer(),
  failed_others: Type.Integer(),
  failed_parsed: Type.Integer(),
  failed_refused: Type.Integer(),
  failed_timeout: Type.Integer(),
});

/** Bytes per second (NetworkTraffic). */
export const NetworkTraffic = Type.Object({
  avg_network_traffic: Type.Number(),
  max_down_stream: Type.Integer(),
  max_network_traffic: Type.Integer(),
  max_upstream: Type.Integer(),
  min_network_traffic: Type.Number(),
});

/** Responses by status class (ResponseCodeSum). */
export const ResponseCodeSum = Type.Object({
  sum1xx: Type.Integer(),
  sum2xx: Type.Integer(),
  sum3xx: Type.Integer(),
  sum4xx: Type.Integer(),
  sum5xx: Type.Integer(),
});

/** What the task run is (TaskBasicAttribute). */
export const TaskBasicAttribute = Type.Object({
  branch_id: Type.String(),
  branch_name: Type.String(),
  create_by: Type.String(),
  iteration_uri: Type.String(),
  project_id: Type.String(),
  protocols: Type.Array(Type.String()),
  service_id: Type.String(),
  stage: Type.Integer(),
  stage_name: Type.String(),
  task_id: Type.String(),
  version_uri: Type.String(),
});

/** How the task run went (TaskBasicExecutionData). */
export const TaskBasicExecutionData = Type.Object({
  complete_num: Type.Integer(),
  duration: Type.Integer(),
  end_time: Nullable(Type.String()),
  executed_num: Type.Integer(),
  kpi_case_count: Type.Integer(),
  kpi_case_execute_count: Type.Integer(),
  kpi_case_pass_count: Type.Integer(),
  parallel: Type.Boolean(),
  pass_num: Type.Integer(),
  start_time: Nullable(Type.String()),
  task_status: Type.Integer(),
  total_num: Type.Integer(),
  vum: Type.Integer(),
});

/** The outline of a task run (ReportOutline). */
export const ReportOutline = Type.Object({
  core_index: CoreIndex,
  exception_response_sum: ExceptionResponseSum,
  network_traffic: NetworkTraffic,
  response_code_sum: ResponseCodeSum,
  task_basic_attribute: TaskBasicAttribute,
  task_basic_execution_data: TaskBasicExecutionData,
  response_code_details: Type.Array(Type.Any()),
  sla_statistic: Nullable(Type.Any()),
  streaming_media: Nullable(Type.Any()),
});
export type ReportOutline = Static<typeof ReportOutline>;

/** `result` of show_merge_report_logs_outline (ReportOutlineResult). */
export const ReportOutlineResult = Type.Object({
  err_message: Nullable(Type.Any()),
  outline: ReportOutline,
});
export type ReportOutlineResult = Static<typeof ReportOutlineResult>;

const int = Type.Integer();
const num = Type.Number();
const str = Nullable(Type.String());

/**
 * One row of a merged case detail (CaseReportDetail): the whole case (`performance`) or one request
 * card (`detailDatas`). The keys this server fills; the SDK model's check-point and host-monitoring
 * keys are left out (the SDKs read them as absent).
 */
export const CaseReportDetail = Type.Object({
  id: Type.String(),
  detailId: Type.String(),
  awId: str,
  name: Type.String(),
  url: str,
  isAW: Type.Boolean(),
  datumType: int,
  caseUri: str,
  testCaseUri: str,
  taskId: Type.String(),
  taskProjectId: Type.String(),
  projectId: Type.String(),
  status: int,
  taskStatus: int,
  result: int,
  stage: int,
  duration: int,
  protocols: Type.Array(Type.String()),
  createTime: Type.String(),
  updateTime: Type.String(),
  startTime: str,
  endTime: str,
  requests: int,
  successCount: int,
  errorCount: int,
  successRate: int,
  errorEventsCount: int,
  failedAssert: int,
  failedParsed: int,
  failedRefused: int,
  failedTimeout: int,
  failedOthers: int,
  sum1xx: int,
  sum2xx: int,
  sum3xx: int,
  sum4xx: int,
  sum5xx: int,
  averageRespTime: num,
  min: int,
  max: int,
  maxRespTime: int,
  tp50: int,
  tp75: int,
  tp85: int,
  tp90: int,
  tp95: int,
  tp99: int,
  tp999: int,
  tp9999: int,
  tps: num,
  maxTps: num,
  maxRps: int,
  currentThreadNum: int,
  avgSentBytes: num,
  avgRecBytes: num,
  maxSentBytes: int,
  maxRecBytes: int,
  avgNetworkTraffic: num,
  maxNetworkTraffic: int,
  minNetworkTraffic: int,
  transactionId: str,
  transactions: Nullable(num),
  transactionSuccess: Nullable(num),
  tranTPS: num,
  avgTranRespTime: num,
  maxTranRespTime: num,
});
export type CaseReportDetail = Static<typeof CaseReportDetail>;

/** `result` of show_merge_case_detail (CaseReportDetailResult with CaseReportDetails). */
export const CaseReportDetailResult = Type.Object({
  detail: Type.Object({
    customTransactions: Type.Array(CaseReportDetail),
    detailDatas: Type.Array(CaseReportDetail),
    performance: CaseReportDetail,
  }),
  err_message: Type.String(),
});
export type CaseReportDetailResult = Static<typeof CaseReportDetailResult>;

const series = (keys: readonly string[]): TSchema => Type.Object(Object.fromEntries(keys.map((k) => [k, Type.Array(Type.Number())])));

/** The curves of a chart (BrokenList): as the v1 report's `brokens`, plus the SDK's optional groups. */
export const BrokenList = Type.Object({
  commonTimestamps: Type.Array(Type.String()),
  brand_brokens: series(['recBytes', 'sentBytes']),
  respcode_brokens: series(['checkPointFailed', 'error', 'othersFailed', 'parsedFailed', 'refusedFailed', 'success', 'timeout']),
  tps_brokens: series(['average', 'tps']),
  vusers_brokens: series(['vusers']),
  performance_load: Nullable(Type.Any()),
  rtmp_brokens: Nullable(Type.Any()),
  streaming_error_brokens: Nullable(Type.Any()),
});

/** `result` of show_task_case_aw_chart (TaskCaseAwChartResult). */
export const TaskCaseAwChartResult = Type.Object({
  broken_list: BrokenList,
  err_message: Type.String(),
  resp_time_range: Type.Record(Type.String(), Type.String()),
});
export type TaskCaseAwChartResult = Static<typeof TaskCaseAwChartResult>;
