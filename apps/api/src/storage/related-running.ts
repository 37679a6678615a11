/**
 * What a task's runs say about it, for the task endpoints: the status and id of its latest run, and
 * the case runs of that run (`related_temp_running_data`). The tables read here belong to the runs
 * work (migration 002); this file is where the task endpoints meet them.
 */
import { RunStatus, type CardInfo, type RelatedTempRunningData, type TempRunningData } from '@perftest/model';
import { json, type Queryable } from '@perftest/store';

/** `name#METHOD#url` of each request card (`content_method_url`). */
function contentMethodUrls(cards: readonly CardInfo[]): string[] {
  return cards.map((c) => `${c.name}#${c.method}#${c.url}`);
}

/** `crawler_status` of an entry: 0, requests answered normally (per-request failures are in the report). */
const CRAWLER_NORMAL = 0;

/** The latest run of a task: its status (`run_status`) and id (`task_run_info.id`). */
export interface TaskRunState {
  runStatus: number;
  latestRunId: number;
}

/** A task that never ran: status 2 (ended/idle), run id 0. */
export const NEVER_RUN: TaskRunState = Object.freeze({ runStatus: RunStatus.Finished, latestRunId: 0 });

/** The latest run of each task in `taskIds`; tasks that never ran map to NEVER_RUN. */
export async function taskRunStates(db: Queryable, taskIds: readonly number[]): Promise<Map<number, TaskRunState>> {
  const states = new Map<number, TaskRunState>();
  for (const id of taskIds) states.set(id, NEVER_RUN);
  if (taskIds.length === 0) return states;
  const rows = await db.query<{ task_id: number; id: number; status: number }>(
    `select distinct on (task_id) task_id, id, status from task_runs
      where task_id in (select jsonb_array_elements_text($1::jsonb)::bigint)
      order by task_id, id desc`,
    [json(taskIds)],
  );
  for (const row of rows) states.set(row.task_id, { runStatus: row.status, latestRunId: row.id });
  return states;
}

/**
 * A case run as `related_temp_running_data` needs it, but for its cards: those are written once, when
 * the case run is made, and read once per case run (caseRunCardUrls; routes/case-json-cache.ts).
 */
export interface CaseRunHead {
  id: number;
  task_run_id: number;
  case_id: number | null;
  name: string;
  status: number;
}

/** `content_method_url` of each case run of `ids`: `name#METHOD#url` of each of its request cards. */
export async function caseRunCardUrls(db: Queryable, ids: readonly number[]): Promise<Map<number, string[]>> {
  const urls = new Map<number, string[]>();
  if (ids.length === 0) return urls;
  const rows = await db.query<{ id: number; cards: CardInfo[] | null }>(
    'select id, cards from case_runs where id in (select jsonb_array_elements_text($1::jsonb)::bigint)',
    [json(ids)],
  );
  for (const row of rows) urls.set(row.id, contentMethodUrls(row.cards ?? []));
  return urls;
}

/**
 * A `related_temp_running_data` entry as JSON text; a task lists one per case run of its latest run,
 * in the task's order (none when it never ran). `related_temp_running_id` is the case run id (the
 * report's `case_run_id`), `task_run_info_id` the task run id; `content_method_url` (`urls`, JSON
 * text of a string array) names each request card `name#METHOD#url`. The entry carries the flat keys
 * of the reference's example and, for the SDKs (RelatedTempRunningData), the same case run again as
 * the one TempRunningData of its nested `related_temp_running_data`, so that both readers find
 * `temp_running_status`.
 */
export function relatedEntryJson(row: CaseRunHead, urls: string): string {
  const running: Omit<TempRunningData, 'content_method_url'> = {
    crawler_status: CRAWLER_NORMAL,
    related_temp_running_id: row.id,
    task_run_info_id: row.task_run_id,
    temp_id: row.case_id ?? 0,
    temp_name: row.name,
    temp_running_status: row.status,
  };
  const text = `{"content_method_url":${urls},${JSON.stringify(running).slice(1)}`;
  const nested: keyof RelatedTempRunningData = 'related_temp_running_data';
  return `${text.slice(0, -1)},"${nested}":[${text}]}`;
}
