/** Storage of test suites (the reference's "projects"), scoped by the tenant's project_id. */
import { apiError } from '@perftest/model';
import { json, type Queryable } from '@perftest/store';

/** A stored test suite. */
export interface TestSuiteRow {
  id: number;
  project: string;
  name: string;
  description: string;
  doc: { variables_no_file?: string[]; source?: number; external_params?: Record<string, unknown> };
  created_at: Date;
  updated_at: Date;
}

/** The test suite `id` of tenant `project`, or a 404 naming it. */
export async function requireTestSuite(db: Queryable, project: string, id: number): Promise<TestSuiteRow> {
  const [row] = await db.query<TestSuiteRow>('select * from test_suites where id = $1 and project = $2', [id, project]);
  if (!row) throw apiError('NOT_FOUND', { resource: 'test suite', id });
  return row;
}

/** A page of the tenant's test suites, oldest first. */
export async function listTestSuites(db: Queryable, project: string, offset: number, limit: number): Promise<TestSuiteRow[]> {
  return db.query<TestSuiteRow>('select * from test_suites where project = $1 order by id limit $2 offset $3', [project, limit, offset]);
}

/** Creates a test suite and returns its id. */
export async function createTestSuite(db: Queryable, project: string, name: string, description: string): Promise<number> {
  const [row] = await db.query<{ id: number }>(
    'insert into test_suites(project, name, description) values ($1, $2, $3) returning id',
    [project, name, description],
  );
  return row.id;
}

/** Replaces a test suite's fields. */
export async function updateTestSuite(
  db: Queryable,
  project: string,
  id: number,
  fields: { name: string; description: string; doc: TestSuiteRow['doc'] },
): Promise<void> {
  const rows = await db.query(
    `update test_suites set name = $3, description = $4, doc = $5::jsonb, updated_at = now()
      where id = $1 and project = $2 returning id`,
    [id, project, fields.name, fields.description, json(fields.doc)],
  );
  if (rows.length === 0) throw apiError('NOT_FOUND', { resource: 'test suite', id });
}

/** Deletes a test suite and, by cascade, everything in it (tasks, cases, variables, runs, metrics). */
export async function deleteTestSuite(db: Queryable, project: string, id: number): Promise<void> {
  const rows = await db.query('delete from test_suites where id = $1 and project = $2 returning id', [id, project]);
  if (rows.length === 0) throw apiError('NOT_FOUND', { resource: 'test suite', id });
}
