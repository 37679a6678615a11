/**
 * Storage of transactions (the reference's "temps", table `templates`), each in one test suite of
 * the tenant. `contents` and the old-edition fields live in `doc` and are read back as written.
 * Names are unique within a test suite; writers lock the suite's row, as variable writers do.
 */
import { apiError, type Contents, type LogicController, type Transaction } from '@perftest/model';
import { json, type Queryable } from '@perftest/store';
import { lockTestSuite } from './variables.js';

/** The JSON part of a stored transaction. */
export interface TemplateDoc {
  contents: unknown[];
  for_loop_params: unknown[];
  enable_pre: boolean;
  logic_controller: LogicController;
}

/** A stored transaction. */
export interface TemplateRow {
  id: number;
  test_suite_id: number;
  name: string;
  temp_type: number;
  description: string;
  doc: TemplateDoc;
  created_at: Date;
  updated_at: Date;
}

/** What a write sets. */
export interface TemplateFields {
  name: string;
  temp_type: number;
  description: string;
  doc: TemplateDoc;
}

/** The stored transaction `id` of tenant `project`, or a 404 naming it. */
export async function requireTemplate(db: Queryable, project: string, id: number): Promise<TemplateRow> {
  const [row] = await db.query<TemplateRow>(
    'select t.* from templates t join test_suites s on s.id = t.test_suite_id where t.id = $1 and s.project = $2',
    [id, project],
  );
  if (!row) throw apiError('NOT_FOUND', { resource: 'transaction', id });
  return row;
}

/** A page of a test suite's transactions, oldest first, each with whether a case or transaction references it. */
export async function listTemplates(
  db: Queryable,
  testSuiteId: number,
  offset: number,
  limit: number,
): Promise<Array<TemplateRow & { is_quoted: boolean }>> {
  const rows = await db.query<TemplateRow>('select * from templates where test_suite_id = $1 order by id limit $2 offset $3', [
    testSuiteId,
    limit,
    offset,
  ]);
  if (rows.length === 0) return [];
  const sources = await db.query<{ template_id: number | null; t: string }>(
    `select null::bigint as template_id, doc::text as t from cases where test_suite_id = $1
     union all select id as template_id, doc::text as t from templates where test_suite_id = $1`,
    [testSuiteId],
  );
  return rows.map((row) => {
    // jsonb renders a member as `"content_id": 12` followed by `,` or `}`.
    const reference = new RegExp(`"content_id": ${row.id}[,}]`);
    const quoted = sources.some((s) => s.template_id !== row.id && reference.test(s.t));
    return { ...row, is_quoted: quoted };
  });
}

/** Every transaction of a test suite as the engine reads them (cases reference them by `content_id`). */
export async function suiteTransactions(db: Queryable, testSuiteId: number): Promise<Transaction[]> {
  const rows = await db.query<TemplateRow>('select * from templates where test_suite_id = $1 order by id', [testSuiteId]);
  return rows.map((r) => ({ id: r.id, name: r.name, contents: (r.doc.contents ?? []) as Contents[] }));
}

/** Throws the 409 when `name` is taken in the suite by a transaction other than `self`. */
async function checkNameFree(tx: Queryable, testSuiteId: number, name: string, self = 0): Promise<void> {
  const [other] = await tx.query<{ id: number }>('select id from templates where test_suite_id = $1 and name = $2 and id <> $3', [
    testSuiteId,
    name,
    self,
  ]);
  if (other) {
    throw apiError('CONFLICT', { detail: `name "${name}" is already used by transaction ${other.id} of test suite ${testSuiteId}` });
  }
}

/** Creates a transaction in test suite `testSuiteId` of `project` and returns its id. */
export async function createTemplate(tx: Queryable, project: string, testSuiteId: number, fields: TemplateFields): Promise<number> {
  await lockTestSuite(tx, project, testSuiteId);
  await checkNameFree(tx, testSuiteId, fields.name);
  const [row] = await tx.query<{ id: number }>(
    `insert into templates(test_suite_id, name, temp_type, description, doc)
     values ($1, $2, $3, $4, $5::jsonb) returning id`,
    [testSuiteId, fields.name, fields.temp_type, fields.description, json(fields.doc)],
  );
  return row.id;
}

/**
 * Replaces transaction `id` of `project` with what `build` makes of the stored row (read under the
 * suite's lock); `build` may throw to refuse the change.
 */
export async function updateTemplate(
  tx: Queryable,
  project: string,
  id: number,
  build: (stored: TemplateRow) => TemplateFields,
): Promise<void> {
  const found = await requireTemplate(tx, project, id);
  await lockTestSuite(tx, project, found.test_suite_id);
  const stored = await requireTemplate(tx, project, id);
  const fields = build(stored);
  await checkNameFree(tx, stored.test_suite_id, fields.name, id);
  await tx.query(
    `update templates set name = $2, temp_type = $3, description = $4, doc = $5::jsonb, updated_at = now() where id = $1`,
    [id, fields.name, fields.temp_type, fields.description, json(fields.doc)],
  );
}

/** Deletes transaction `id` of `project`, or throws the 404 naming it. */
export async function deleteTemplate(db: Queryable, project: string, id: number): Promise<void> {
  const rows = await db.query(
    'delete from templates t using test_suites s where t.id = $1 and s.id = t.test_suite_id and s.project = $2 returning t.id',
    [id, project],
  );
  if (rows.length === 0) throw apiError('NOT_FOUND', { resource: 'transaction', id });
}
