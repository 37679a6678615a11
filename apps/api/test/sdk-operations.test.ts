/**
 * The 17 operations of the official SDK beyond the API reference, driven over HTTP with the SDK's
 * key spellings, each request signed as the SDK signs it (with its X-Project-Id header), against a
 * real run of the embedded worker on local counting targets: directories, library cases in them,
 * new-edition tasks with their case lists, a batch start of two tasks, both runs ending, the merged
 * case list, outline, case detail and charts (counts equal to what each target received, figures
 * equal to the v1 report's), a batch stop of idle tasks refused without a new run, probe agents
 * registering and heartbeating, and the deletes. One scenario per database.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, expectErrorShape, startTestServer, TEST_AK, TEST_SK, TestClient, type TestServer } from './helpers.js';
import { settled, tpsStage, usersStage } from './runs-fixtures.js';

const P = 'sdk-project';

/** Response keys as the SDK models' attribute_map names them. */
const SDK = {
  caseInfoDetail: ['case_id', 'case_info', 'case_type', 'collect_log_policy', 'contents', 'directory_id', 'for_loop_params', 'increase_setting',
    'link_app_list', 'name', 'setup_contents', 'sort', 'stages', 'status', 'temp_id', 'user_replicas'],
  testCaseBriefInfo: ['create_time', 'id', 'name', 'parent_id', 'status', 'type', 'update_time'],
  caseAwInfo: ['aw', 'awList', 'caseAwId', 'caseUri', 'case_uri_i', 'datumType', 'id', 'name', 'taskExecId', 'taskId', 'testcaseId', 'transactionList'],
  detailItem: ['awList', 'caseAwId', 'datumType', 'name', 'transactionId'],
  awInfo: ['datumType', 'id', 'name'],
  reportOutline: ['core_index', 'exception_response_sum', 'network_traffic', 'response_code_details', 'response_code_sum', 'sla_statistic',
    'streaming_media', 'task_basic_attribute', 'task_basic_execution_data'],
  coreIndex: ['error_request_count', 'max_rps', 'max_users', 'request_count', 'response_time', 'rps', 'success_count', 'success_rate', 'trans_tps'],
  responseTime: ['avg_response_time', 'avg_tp50', 'avg_tp90', 'max_response_time', 'min_response_time'],
  execution: ['complete_num', 'duration', 'end_time', 'executed_num', 'kpi_case_count', 'kpi_case_execute_count', 'kpi_case_pass_count', 'parallel',
    'pass_num', 'start_time', 'task_status', 'total_num', 'vum'],
  attribute: ['branch_id', 'branch_name', 'create_by', 'iteration_uri', 'project_id', 'protocols', 'service_id', 'stage', 'stage_name', 'task_id', 'version_uri'],
  brokenList: ['brand_brokens', 'commonTimestamps', 'performance_load', 'respcode_brokens', 'rtmp_brokens', 'streaming_error_brokens', 'tps_brokens', 'vusers_brokens'],
  agentConfig: ['agent_id', 'app_log_level', 'app_log_path', 'clickhouse_enable', 'clickhouse_shadow_repository', 'clickhouse_shadow_type', 'db_enable',
    'db_shadow_repository', 'db_shadow_type', 'extensions', 'kafka_enable', 'kafka_shadow_topic_prefix', 'log_level', 'log_path', 'main_switch',
    'mock_rule_list', 'pulsar_enable', 'pulsar_shadow_topic_prefix', 'redis_enable', 'redis_shadow_key_prefix', 'redis_shadow_repository', 'redis_shadow_type'],
  relatedTempRunningData: ['content_method_url', 'related_temp_running_data', 'related_temp_running_id', 'task_run_info_id', 'temp_id', 'temp_name'],
  tempRunningData: ['content_method_url', 'crawler_status', 'related_temp_running_id', 'task_run_info_id', 'temp_id', 'temp_name', 'temp_running_status'],
  /** CaseReportDetail's keys but its check-point and host-monitoring ones. */
  caseReportDetail: new Set(['alias', 'averageRespTime', 'avgNetworkTraffic', 'avgRecBytes', 'avgSentBytes', 'avgTranRespTime', 'awId', 'caseUri',
    'checkpointResult', 'createTime', 'currentThreadNum', 'datumType', 'detailId', 'duration', 'endTime', 'errorCount', 'errorEventsCount', 'failedAssert',
    'failedOthers', 'failedParsed', 'failedReason', 'failedRefused', 'failedTimeout', 'id', 'isAW', 'iterationUri', 'kpiMonitor', 'max', 'maxAvgTime',
    'maxNetworkTraffic', 'maxRecBytes', 'maxRespTime', 'maxRps', 'maxSentBytes', 'maxSuccessRate', 'maxThreadNum', 'maxTps', 'maxTranRespTime', 'min',
    'minNetworkTraffic', 'mode', 'name', 'peakMetric', 'projectId', 'protocols', 'requests', 'result', 'resultLog', 'round', 'saveAllData', 'serviceId',
    'stage', 'startTime', 'status', 'streamingMediaVo', 'successCount', 'successRate', 'sum1xx', 'sum2xx', 'sum3xx', 'sum4xx', 'sum5xx', 'taskId',
    'taskName', 'taskProjectId', 'taskStatus', 'testCaseUri', 'tp50', 'tp75', 'tp85', 'tp90', 'tp95', 'tp99', 'tp999', 'tp9999', 'tps', 'tranTPS',
    'transactionId', 'transactionSuccess', 'transactions', 'updateTime', 'url', 'userConcur', 'versionUri']),
  /** CaseReportDetail keys the SDK types as integers. */
  caseReportDetailInts: ['currentThreadNum', 'datumType', 'duration', 'errorCount', 'failedAssert', 'max', 'maxNetworkTraffic', 'maxRecBytes',
    'maxRespTime', 'maxRps', 'maxSentBytes', 'min', 'minNetworkTraffic', 'requests', 'stage', 'status', 'successCount', 'successRate', 'sum2xx',
    'taskStatus', 'tp50', 'tp90', 'tp99', 'tp9999'],
};
const sorted = (o: object) => Object.keys(o).sort();
const total = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
/** Response counts in a resp_time_range value `"<percent>%(<count>)"`. */
const rangeCount = (range: Record<string, string>) => total(Object.values(range).map((v) => Number(/\((\d+)\)$/.exec(v)?.[1])));

/** A loopback HTTP target counting the requests of each path. */
interface PathTarget {
  url: string;
  counts: Map<string, number>;
  total(): number;
  close(): Promise<void>;
}
async function startPathTarget(): Promise<PathTarget> {
  const counts = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    counts.set(path, (counts.get(path) ?? 0) + 1);
    req.resume();
    res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    counts,
    total: () => total([...counts.values()]),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A request card of a CaseInfoDetail: one GET packet. */
const getCard = (name: string, url: string, index: number) => ({
  content_id: 0,
  index,
  data_type: 0,
  is_disabled: false,
  content: [{ content_type: 2, content: { protocol_type: 1, name, method: 'GET', url, headers: [], body_type: 0, bodys: [], http_version: 'HTTP/1.1' } }],
});

describe.each(backends())('the SDK operations beyond the reference on %s', (backend) => {
  let server: TestServer;
  let sdk: TestClient;
  let shop: PathTarget;
  let catalog: PathTarget;

  beforeAll(async () => {
    server = await startTestServer(backend, { runs: { workers: 1 } });
    sdk = new TestClient(server.baseUrl, { kind: 'sign', ak: TEST_AK, sk: TEST_SK });
    [shop, catalog] = await Promise.all([startPathTarget(), startPathTarget()]);
  });
  afterAll(async () => {
    await server?.close();
    await shop?.close();
    await catalog?.close();
  });

  /** A signed request as the SDK sends it: Content-Type application/json and X-Project-Id, body or not. */
  const call = (method: string, path: string, body?: unknown, project = P) =>
    sdk.request(method, `/${path.replace(/^\//, '').replace('{p}', project)}`, { body, headers: { 'X-Project-Id': project } });
  const ok = async (method: string, path: string, body: unknown, status: number) => {
    const res = await call(method, path, body);
    expect(res.status, `${method} ${path}: ${res.text}`).toBe(status);
    if (res.body !== undefined) expect([res.body.code, res.body.message]).toEqual(['SVCSTG.CPTS.0000000', 'success']);
    return res.body;
  };
  const taskInfo = async (taskId: number) => (await ok('GET', `v1/{p}/tasks/${taskId}`, undefined, 200)).taskInfo;

  it('drives every operation against real runs, with figures equal to what the targets received', async () => {
    const suite = (await ok('POST', 'v1/{p}/test-suites', { name: 'sdk suite', description: '' }, 201)).project_id as number;

    // create_directory / update_directory: names unique in the suite
    const checkout = (await ok('POST', `v1/{p}/test-suites/${suite}/directory`, { name: 'checkout' }, 201)).directory_id as number;
    const browse = (await ok('POST', `v1/{p}/test-suites/${suite}/directory`, { name: 'browse' }, 201)).directory_id as number;
    expect(sorted(await ok('POST', `v1/{p}/test-suites/${suite}/directory`, { name: 'spare' }, 201))).toEqual(['code', 'directory_id', 'message']);
    expectErrorShape(await call('POST', `v1/{p}/test-suites/${suite}/directory`, { name: 'checkout' }), 409);
    await ok('PUT', `v1/{p}/test-suites/${suite}/directory/${browse}`, { name: 'catalog' }, 204);

    // create_new_case / show_case / update_new_case: library cases in directories
    const buy = (
      await ok('POST', 'v2/{p}/test-cases', {
        name: 'buy',
        directory_id: checkout,
        contents: [getCard('login', `${shop.url}/login`, 0), getCard('pay', `${shop.url}/pay`, 1)],
        stages: [tpsStage(30, 3, 3)],
      }, 201)
    ).json.test_case_id as number;
    const list = (
      await ok('POST', 'v2/{p}/test-cases', { name: 'list draft', directory_id: browse, contents: [getCard('list', `${catalog.url}/list`, 0)], stages: [] }, 201)
    ).json.test_case_id as number;
    const shown = (await ok('GET', `v2/{p}/test-cases/${list}`, undefined, 200)).test_case;
    expect(sorted(shown)).toEqual(SDK.caseInfoDetail);
    expect(shown).toMatchObject({ case_id: list, name: 'list draft', directory_id: browse, status: 1, sort: 1 });
    await ok('PUT', `v2/{p}/test-cases/${list}`, { ...shown, name: 'list', stages: [usersStage(2, 3)] }, 204);
    expect((await ok('GET', `v2/{p}/test-cases/${list}`, undefined, 200)).test_case).toMatchObject({ name: 'list', stages: [{ issue_num: 2 }], directory_id: browse });

    // create_new_task / list_task_cases
    const newTask = (name: string, cases: number[]) =>
      ok('POST', 'v3/{p}/tasks', { name, project_id: suite, case_id_list: cases, parallel: false, operate_mode: 2, enable_full_link: false }, 201);
    const taskA = (await newTask('shop task', [buy])).task_id as number;
    const taskB = (await newTask('catalog task', [list])).task_id as number;
    const listed = (await ok('GET', `v1/{p}/test-suites/${suite}/tasks/${taskA}/test-cases`, undefined, 200)).test_cases;
    expect(listed).toHaveLength(1);
    expect(sorted(listed[0])).toEqual(SDK.testCaseBriefInfo);
    expect(listed[0]).toMatchObject({ id: buy, name: 'buy', parent_id: checkout, type: 2, status: 1 });

    // delete_directory: refused while it holds a case, nothing lost
    const refused = await call('DELETE', `v1/{p}/test-suites/${suite}/directory/${checkout}`);
    expectErrorShape(refused, 409);
    expect(refused.body.error_msg).toContain('1 case');
    const tree = (await ok('GET', `v1/{p}/test-suites/${suite}/directory`, undefined, 200)).directory;
    expect(tree.map((e: { name: string }) => e.name)).toEqual(['checkout', 'catalog', 'spare', 'buy', 'list']);

    // batch_update_task_status: start both; the static path is not a task id
    const started = await ok('POST', `v1/{p}/test-suites/${suite}/tasks/batch-update-task-status`, {
      task_id_list: [taskA, taskB], status: 9, type: 1, project_id: suite, cluster_id: 0, cluster_type: 'shared-cluster-internet', without_package: 0,
      network_info: { network_type: 'internet' }, enterprise_project_id: '0',
    }, 200);
    expect(started.extend).toBeNull();
    expect(started.result.map((r: object) => sorted(r))).toEqual([['task_id', 'task_run_id'], ['task_id', 'task_run_id']]);
    const [runA, runB] = started.result.map((r: { task_id: number; task_run_id: number }) => r.task_run_id);
    expect(started.result.map((r: { task_id: number }) => r.task_id)).toEqual([taskA, taskB]);
    expectErrorShape(await call('POST', `v1/{p}/test-suites/${suite}/tasks/batch-update-task-status`, { task_id_list: [taskB, taskA], status: 9 }), 409);

    // both runs end; related_temp_running_data carries the SDK's nested TempRunningData
    const until = Date.now() + 30_000;
    for (const task of [taskA, taskB]) {
      for (let info = await taskInfo(task); ![2, 3, 4].includes(info.run_status); info = await taskInfo(task)) {
        expect(Date.now()).toBeLessThan(until);
        await new Promise((r) => setTimeout(r, 200));
      }
      expect((await taskInfo(task)).run_status).toBe(2);
    }
    await settled(() => shop.total() + catalog.total());
    const related = (await taskInfo(taskA)).related_temp_running_data;
    expect(related).toHaveLength(1);
    for (const key of SDK.relatedTempRunningData) expect(related[0]).toHaveProperty(key);
    expect(related[0].related_temp_running_data).toHaveLength(1);
    expect(sorted(related[0].related_temp_running_data[0])).toEqual(SDK.tempRunningData);
    expect(related[0].related_temp_running_data[0]).toMatchObject({ task_run_info_id: runA, temp_id: buy, temp_name: 'buy', temp_running_status: 2 });
    const caseRunA = related[0].related_temp_running_id as number;

    // show_merge_task_case: one CaseAwInfo per case run, ids that the detail and chart use
    const cases = (await ok('GET', `v2/{p}/task-run-infos/${runA}/cases`, undefined, 200)).result.case_aw_info_list;
    expect(cases).toHaveLength(1);
    const aw = cases[0];
    // plus droppedStarts, the extra key of dropped starts (docs/reports.md), which SDKs ignore
    expect(sorted(aw)).toEqual([...SDK.caseAwInfo, 'droppedStarts'].sort());
    expect(Number.isInteger(aw.droppedStarts)).toBe(true);
    expect(aw).toMatchObject({ case_uri_i: String(caseRunA), testcaseId: String(caseRunA), caseUri: String(buy), name: 'buy', taskExecId: String(runA) });
    expect(aw.awList.map((d: object) => sorted(d))).toEqual([SDK.detailItem, SDK.detailItem]);
    expect(aw.aw.map((d: object) => sorted(d))).toEqual([SDK.awInfo, SDK.awInfo]);
    expect(aw.awList.map((d: { name: string }) => d.name)).toEqual(['login', 'pay']);

    // show_merge_report_logs_outline: counts equal what the target received, figures equal the v1 report
    const v1 = (await ok('GET', `v1/{p}/task-run-infos/${runA}/case-run-infos/${caseRunA}/reports`, undefined, 200)).result;
    const served = { login: shop.counts.get('/login') ?? 0, pay: shop.counts.get('/pay') ?? 0 };
    expect(served.login).toBeGreaterThan(20);
    const outline = (await ok('GET', `v2/{p}/task-run-infos/${runA}/reports/log-outline`, undefined, 200)).result.outline;
    expect(sorted(outline)).toEqual(SDK.reportOutline);
    // plus the extra keys of dropped starts and aborted requests (docs/reports.md), which SDKs ignore
    expect(sorted(outline.core_index)).toEqual([...SDK.coreIndex, 'aborted_requests', 'dropped_starts', 'max_dropped_starts_per_second'].sort());
    expect(outline.core_index.aborted_requests).toBe(0);
    expect(Number.isInteger(outline.core_index.dropped_starts) && Number.isInteger(outline.core_index.max_dropped_starts_per_second)).toBe(true);
    expect(sorted(outline.core_index.response_time)).toEqual(SDK.responseTime);
    expect(sorted(outline.task_basic_execution_data)).toEqual(SDK.execution);
    expect(sorted(outline.task_basic_attribute)).toEqual(SDK.attribute);
    expect(outline.core_index).toMatchObject({
      request_count: served.login + served.pay,
      success_count: served.login + served.pay,
      error_request_count: 0,
      success_rate: 100,
      max_users: v1.outline.maxUsers,
      rps: v1.outline.rps,
      response_time: { avg_response_time: v1.outline.avgResponseTime, avg_tp50: Math.round(v1.details.data[0].performance.tp50) },
    });
    expect(outline.response_code_sum.sum2xx).toBe(served.login + served.pay);
    expect(outline.exception_response_sum).toEqual({ failed_assert: 0, failed_others: 0, failed_parsed: 0, failed_refused: 0, failed_timeout: 0 });
    expect(outline.task_basic_execution_data).toMatchObject({ total_num: 1, complete_num: 1, pass_num: 1, task_status: 2, parallel: false, duration: v1.outline.duration });
    expect(outline.task_basic_attribute).toMatchObject({ project_id: String(suite), task_id: String(taskA), protocols: ['HTTP'] });
    for (const value of [...Object.values(outline.core_index).filter((v) => typeof v === 'number'), outline.core_index.max_rps]) expect(Number.isFinite(value)).toBe(true);
    expect(Number.isInteger(outline.core_index.max_rps) && Number.isInteger(outline.task_basic_execution_data.vum)).toBe(true);

    // show_merge_case_detail: the v1 rows under the SDK's keys, one per request card, integers where the SDK says so
    const detail = (await ok('GET', `v2/{p}/task-run-infos/${runA}/case-run-infos/${caseRunA}/detail`, undefined, 200)).result.detail;
    expect(sorted(detail)).toEqual(['customTransactions', 'detailDatas', 'performance']);
    const rows = [detail.performance, ...detail.detailDatas];
    for (const row of rows) {
      for (const key of Object.keys(row)) expect(SDK.caseReportDetail.has(key), key).toBe(true);
      for (const key of SDK.caseReportDetailInts) expect(Number.isInteger(row[key]), `${key} ${row[key]}`).toBe(true);
    }
    expect(detail.performance).toMatchObject({ detailId: aw.testcaseId, requests: served.login + served.pay, isAW: false });
    expect(detail.detailDatas.map((r: { detailId: string }) => r.detailId)).toEqual(aw.awList.map((d: { caseAwId: string }) => d.caseAwId));
    expect(detail.detailDatas.map((r: { name: string; requests: number }) => [r.name, r.requests])).toEqual([['login', served.login], ['pay', served.pay]]);
    const v1Rows = [v1.details.data[0].performance, ...v1.details.data[0].detailDatas];
    rows.forEach((row, i) => {
      for (const key of ['requests', 'successCount', 'averageRespTime', 'tps', 'avgNetworkTraffic', 'tranTPS']) expect(row[key], key).toBe(v1Rows[i][key]);
      for (const key of ['tp50', 'tp90', 'tp99', 'max', 'min']) expect(row[key], key).toBe(Math.round(v1Rows[i][key]));
      expect(row.id).toBe(v1Rows[i].id);
    });

    // show_task_case_aw_chart: the whole case (its testcaseId) and one request (its caseAwId)
    const chart = (id: string) => ok('GET', `v2/{p}/task-run-infos/${runA}/case-run-infos/${caseRunA}/detail/${id}/chart`, undefined, 200);
    const whole = (await chart(aw.testcaseId)).result;
    // plus dropped_brokens, the extra key of dropped starts (docs/reports.md)
    expect(sorted(whole.broken_list)).toEqual([...SDK.brokenList, 'dropped_brokens'].sort());
    expect(whole.broken_list.respcode_brokens).toEqual(v1.brokens.respcode_brokens);
    expect(whole.resp_time_range).toEqual(v1.respTimeRange);
    expect(total(whole.broken_list.respcode_brokens.success)).toBe(served.login + served.pay);
    const pay = (await chart(aw.awList[1].caseAwId)).result;
    expect(total(pay.broken_list.respcode_brokens.success)).toBe(served.pay);
    expect(rangeCount(pay.resp_time_range)).toBe(served.pay);
    expect(pay.broken_list.commonTimestamps).toEqual(whole.broken_list.commonTimestamps);
    expectErrorShape(await call('GET', `v2/{p}/task-run-infos/${runA}/case-run-infos/${caseRunA}/detail/${caseRunA}-9/chart`), 404);

    // the other run, read through the outline: what the catalog target received
    const outlineB = (await ok('GET', `v2/{p}/task-run-infos/${runB}/reports/log-outline`, undefined, 200)).result.outline;
    expect(outlineB.core_index.request_count).toBe(catalog.counts.get('/list'));
    expect(outlineB.core_index.max_users).toBe(2);

    // a batch stop of idle tasks is refused and starts nothing
    const stop = await call('POST', `v1/{p}/test-suites/${suite}/tasks/batch-update-task-status`, { task_id_list: [taskA], status: 2 });
    expectErrorShape(stop, 409);
    const history = (await ok('GET', `v1/{p}/tasks/history-run-list/${taskA}`, undefined, 200)).log_list;
    expect(history.map((h: { run_id: number }) => h.run_id)).toEqual([runA]);

    // show_agent_config / update_agent_health_status
    const registered = await ok('POST', 'v1/{p}/stress/agents', { app_id: 7, address: '127.0.0.1:9100', version: '1.0.0', alias: 'probe' }, 200);
    const config = registered.result;
    expect(sorted(config)).toEqual(SDK.agentConfig);
    expect(config).toMatchObject({ main_switch: false, db_enable: false, log_level: 'INFO', mock_rule_list: [] });
    const again = await ok('POST', 'v1/{p}/stress/agents', { app_id: 7, address: '127.0.0.1:9101', version: '1.0.1', agent_id: String(config.agent_id) }, 200);
    expect(again.result.agent_id).toBe(config.agent_id);
    const beat = (await ok('PUT', `v1/{p}/stress/agents/${config.agent_id}`, { update_time: 0 }, 200)).result;
    expect(sorted(beat)).toEqual(['id', 'result', 'status', 'update_time']);
    expect(beat).toMatchObject({ id: 7, status: 'NORMAL', result: { agent_id: config.agent_id } });
    const quiet = (await ok('PUT', `v1/{p}/stress/agents/${config.agent_id}`, { update_time: beat.update_time }, 200)).result;
    expect(quiet).toEqual({ id: 7, status: 'NORMAL', update_time: beat.update_time, result: null });
    expect((await ok('PUT', `v1/{p}/stress/agents/${config.agent_id}`, undefined, 200)).result.result).toEqual(config);
    expectErrorShape(await call('PUT', `v1/{p}/stress/agents/${config.agent_id + 1000}`, { update_time: 0 }), 404);

    // another tenant reads every id of this one as an id that does not exist
    const UNKNOWN = 987654321;
    const tenantProbes: Array<[string, string, number, unknown?]> = [
      ['GET', `v2/{p}/test-cases/${buy}`, buy],
      ['PUT', `v2/{p}/test-cases/${buy}`, buy, { name: 'stolen' }],
      ['DELETE', `v2/{p}/test-cases/${buy}`, buy],
      ['POST', 'v2/{p}/test-cases', browse, { name: 'x', directory_id: browse }],
      ['PUT', `v1/{p}/test-suites/${suite}/directory/${browse}`, suite, { name: 'stolen' }],
      ['DELETE', `v1/{p}/test-suites/${suite}/directory/${checkout}`, suite],
      ['POST', `v1/{p}/test-suites/${suite}/directory`, suite, { name: 'x' }],
      ['POST', 'v3/{p}/tasks', suite, { name: 'x', project_id: suite }],
      ['DELETE', `v3/{p}/tasks/${taskA}`, taskA],
      ['GET', `v1/{p}/test-suites/${suite}/tasks/${taskA}/test-cases`, taskA],
      ['POST', `v1/{p}/test-suites/${suite}/tasks/batch-update-task-status`, suite, { task_id_list: [taskA], status: 2 }],
      ['GET', `v2/{p}/task-run-infos/${runA}/cases`, runA],
      ['GET', `v2/{p}/task-run-infos/${runA}/reports/log-outline`, runA],
      ['GET', `v2/{p}/task-run-infos/${runA}/case-run-infos/${caseRunA}/detail`, caseRunA],
      ['GET', `v2/{p}/task-run-infos/${runA}/case-run-infos/${caseRunA}/detail/${caseRunA}/chart`, caseRunA],
      ['PUT', `v1/{p}/stress/agents/${config.agent_id}`, config.agent_id, { update_time: 0 }],
      ['POST', 'v1/{p}/stress/agents', config.agent_id, { app_id: 7, address: 'x', agent_id: String(config.agent_id) }],
    ];
    for (const [method, path, id, body] of tenantProbes) {
      const unknownBody = body === undefined ? undefined : JSON.parse(JSON.stringify(body).replace(new RegExp(`\\b${id}\\b`, 'g'), String(UNKNOWN)));
      const theirs = await call(method, path, body, 'sdk-other');
      const segments = path.split('/');
      const at = segments.lastIndexOf(String(id));
      if (at >= 0) segments[at] = String(UNKNOWN);
      const none = await call(method, segments.join('/'), unknownBody, 'sdk-other');
      expectErrorShape(theirs, 404);
      expectErrorShape(none, 404);
      const shape = (msg: string) => msg.replace(/\d+/g, 'N');
      expect(shape(theirs.body.error_msg), `${method} ${path}`).toBe(shape(none.body.error_msg));
      expect(theirs.body.error_code).toBe(none.body.error_code);
    }

    // update_new_case moves a case; then the directory can go; delete_new_case, delete_new_task
    await ok('PUT', `v2/{p}/test-cases/${buy}`, { directory_id: browse }, 204);
    await ok('DELETE', `v1/{p}/test-suites/${suite}/directory/${checkout}`, undefined, 204);
    await ok('DELETE', `v2/{p}/test-cases/${list}`, undefined, 204);
    expect((await ok('GET', `v1/{p}/test-suites/${suite}/tasks/${taskB}/test-cases`, undefined, 200)).test_cases).toEqual([]);
    expectErrorShape(await call('GET', `v2/{p}/test-cases/${list}`), 404);
    await ok('DELETE', `v3/{p}/tasks/${taskB}`, undefined, 204);
    expectErrorShape(await call('GET', `v1/{p}/tasks/${taskB}`), 404);
    expect((await ok('GET', `v2/{p}/test-cases/${buy}`, undefined, 200)).test_case.directory_id).toBe(browse);
  }, 120_000);
});
