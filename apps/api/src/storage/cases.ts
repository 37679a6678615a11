/**
 * Storage of cases. A case's document (every CaseInfoDetail field a client sent but its id and name)
 * is kept verbatim as jsonb, so what a client PUTs it GETs back; name, status, sort and directory_id
 * are mirrored into columns for the case tree. A case belongs to one test suite and may sit in
 * several of its tasks.
 */
import { apiError, CaseInfoDetail } from '@perftest/model';
import type { Queryable } from '@perftest/store';

/** The stored document of a case: the CaseInfoDetail fields other than `case_id` and `name`. */
export type CaseDocument = Omit<CaseInfoDetail, 'case_id' | 'name'>;

/** A stored case. */
export interface CaseRow {
  id: number;
  test_suite_id: number;
  name: string;
  status: number;
  sort: number;
  directory_id: number | null;
  doc: CaseDocument;
  /** Saves so far, 1 when created: with the id, one version of the case (migration 014). */
  revision: number;
  created_at: Date;
  updated_at: Date;
}

/** The document fields, in the order of CaseInfoDetail. */
export const CASE_DOCUMENT_FIELDS: readonly string[] = Object.keys(CaseInfoDetail.properties).filter(
  (key) => key !== 'case_id' && key !== 'name',
);

/** The fields of `fields` that `body` carries (null included), copied as they are. */
export function pickFields(body: Readonly<Record<string, unknown>>, fields: readonly string[]): CaseDocument {
  const out: Record<string, unknown> = {};
  for (const key of fields) {
    if (body[key] !== undefined) out[key] = body[key];
  }
  return out as CaseDocument;
}

/** A case as clients read it: every CaseInfoDetail key, the stored values over the defaults. */
export function caseInfoDetail(row: Pick<CaseRow, 'id' | 'name' | 'status' | 'sort' | 'directory_id' | 'doc'>): CaseInfoDetail {
  return {
    case_type: 0,
    contents: [],
    for_loop_params: [],
    increase_setting: [],
    stages: [],
    status: row.status,
    temp_id: 0,
    sort: row.sort,
    directory_id: row.directory_id ?? 0,
    setup_contents: [],
    user_replicas: 0,
    collect_log_policy: 0,
    link_app_list: [],
    case_info: null,
    ...row.doc,
    case_id: row.id,
    name: row.name,
  };
}

const INT4_MAX = 2_147_483_647;
const int4 = (value: unknown): value is number => Number.isInteger(value) && Math.abs(value as number) <= INT4_MAX;

/**
 * The column mirrors of a document; `fallback` fills what the document leaves out, nulls or holds
 * beyond the column's range (the document keeps the value as sent).
 */
function columns(doc: CaseDocument, fallback: { status: number; sort: number; directory_id: number | null }) {
  return {
    status: int4(doc.status) ? doc.status : fallback.status,
    sort: int4(doc.sort) ? doc.sort : fallback.sort,
    directory_id: doc.directory_id === undefined ? fallback.directory_id : Number.isSafeInteger(doc.directory_id) ? doc.directory_id : null,
  };
}

/** Serialises a document; the database refuses some text (NUL, lone surrogates): that is a 400. */
async function withDocument<T>(doc: CaseDocument, write: (text: string) => Promise<T>): Promise<T> {
  try {
    return await write(JSON.stringify(doc));
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('22')) {
      throw apiError('INVALID_FIELD', { field: 'body', detail: `cannot be stored: ${(err as Error).message}` });
    }
    throw err;
  }
}

/** The case `id` of tenant `project`, or a 404; with `lock`, locked until the transaction ends. */
export async function requireCase(db: Queryable, project: string, id: number, lock = false): Promise<CaseRow> {
  const [row] = await db.query<CaseRow>(
    `select c.* from cases c join test_suites s on s.id = c.test_suite_id
      where c.id = $1 and s.project = $2${lock ? ' for update of c' : ''}`,
    [id, project],
  );
  if (!row) throw apiError('NOT_FOUND', { resource: 'case', id });
  return row;
}

/**
 * The tenant's cases among `ids` (those that do not exist or are another tenant's are left out).
 * With `lock`, they cannot be deleted until the transaction ends.
 */
export async function findCases(db: Queryable, project: string, ids: readonly number[], lock = false): Promise<CaseRow[]> {
  if (ids.length === 0) return [];
  return db.query<CaseRow>(
    `select c.* from cases c join test_suites s on s.id = c.test_suite_id
      where s.project = $2 and c.id in (select jsonb_array_elements_text($1::jsonb)::bigint)${lock ? ' for share of c' : ''}`,
    [JSON.stringify(ids), project],
  );
}

/** The cases among `ids`, whatever their tenant (the caller has checked it; deleted ones are left out). */
export async function casesById(db: Queryable, ids: readonly number[]): Promise<CaseRow[]> {
  if (ids.length === 0) return [];
  return db.query<CaseRow>('select * from cases where id in (select jsonb_array_elements_text($1::jsonb)::bigint)', [JSON.stringify(ids)]);
}

/** The cases of a task, in the task's order; with `lock`, locked for update until the transaction ends. */
export async function casesOfTask(db: Queryable, taskId: number, lock = false): Promise<CaseRow[]> {
  return db.query<CaseRow>(
    `select c.* from task_cases tc join cases c on c.id = tc.case_id
      where tc.task_id = $1 order by tc.position, tc.case_id${lock ? ' for update of c' : ''}`,
    [taskId],
  );
}

/** Creates a case in a test suite and returns its id; `sort` is used when the document has none. */
export async function insertCase(db: Queryable, testSuiteId: number, name: string, doc: CaseDocument, sort: number): Promise<number> {
  const col = columns(doc, { status: 1, sort, directory_id: null });
  return withDocument(doc, async (text) => {
    const [row] = await db.query<{ id: number }>(
      `insert into cases(test_suite_id, name, status, sort, directory_id, doc)
       values ($1, $2, $3, $4, $5, $6::jsonb) returning id`,
      [testSuiteId, name, col.status, col.sort, col.directory_id, text],
    );
    return row.id;
  });
}

/** Replaces a case's name and document (its columns follow the document). */
export async function saveCase(db: Queryable, current: CaseRow, name: string, doc: CaseDocument): Promise<void> {
  const col = columns(doc, current);
  await withDocument(doc, (text) =>
    db.query(
      `update cases set name = $2, status = $3, sort = $4, directory_id = $5, doc = $6::jsonb, updated_at = now(), revision = revision + 1
        where id = $1`,
      [current.id, name, col.status, col.sort, col.directory_id, text],
    ),
  );
}

/** Deletes a case of tenant `project`; it leaves every task it was in. */
export async function deleteCase(db: Queryable, project: string, id: number): Promise<void> {
  const rows = await db.query(
    `delete from cases c using test_suites s
      where c.id = $1 and s.id = c.test_suite_id and s.project = $2 returning c.id`,
    [id, project],
  );
  if (rows.length === 0) throw apiError('NOT_FOUND', { resource: 'case', id });
}
