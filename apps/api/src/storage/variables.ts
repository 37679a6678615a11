/**
 * Storage of global variables (reference 4.4), each in one test suite of the tenant. Writes of
 * several variables run in one transaction that first locks the test suite's row, so that name
 * uniqueness holds under concurrent writes and a rejected element writes nothing.
 */
import { apiError, VariableType } from '@perftest/model';
import { json, type Queryable } from '@perftest/store';
import { requireTestSuite } from './test-suites.js';

/** The JSON part of a stored variable. */
export interface VariableDoc {
  variable: unknown[];
  variable_mode: number;
  share_mode: number;
  is_sensitive: boolean;
  file_size: number;
}

/** A stored variable. */
export interface VariableRow {
  id: number;
  test_suite_id: number;
  name: string;
  variable_type: number;
  doc: VariableDoc;
  created_at: Date;
  updated_at: Date;
}

/** A variable as the API returns it: VariableDetail plus the reference example's `is_sensitive`. */
export interface VariableView {
  file_size: number;
  id: number;
  is_quoted: boolean;
  is_sensitive: boolean;
  name: string;
  share_mode: number;
  variable: unknown[];
  variable_mode: number;
  variable_type: number;
}

/** What a client sends for one variable; optional settings left out keep their stored (or default) value. */
export interface VariableInput {
  name: string;
  variable_type: number;
  variable: unknown[];
  variable_mode?: number | null;
  share_mode?: number | null;
  is_sensitive?: boolean | null;
}

/** An update of variable `id`. */
export interface VariableUpdate extends VariableInput {
  id: number;
}

/** The stored doc of `input`, over `stored` when updating. */
function variableDoc(input: VariableInput, stored?: VariableDoc): VariableDoc {
  return {
    variable: input.variable,
    variable_mode: input.variable_mode ?? stored?.variable_mode ?? 0,
    share_mode: input.share_mode ?? stored?.share_mode ?? 0,
    is_sensitive: input.is_sensitive ?? stored?.is_sensitive ?? false,
    file_size: input.variable_type === VariableType.File ? fileSize(input.variable) : 0,
  };
}

/** Bytes of a file variable as a UTF-8 CSV file (rows) or as its text lines. */
export function fileSize(variable: readonly unknown[]): number {
  const cell = (v: unknown): string => {
    const text = v === null || v === undefined ? '' : String(v);
    return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  const lines = variable.map((row) => (Array.isArray(row) ? row.map(cell).join(',') : String(row)));
  return lines.length === 0 ? 0 : Buffer.byteLength(lines.join('\n') + '\n', 'utf8');
}

/**
 * Locks test suite `id` of tenant `project` for the rest of the transaction (writers of its
 * variables and transactions queue here), or throws the 404 naming it.
 */
export async function lockTestSuite(tx: Queryable, project: string, id: number): Promise<void> {
  const rows = await tx.query('select id from test_suites where id = $1 and project = $2 for no key update', [id, project]);
  if (rows.length === 0) throw apiError('NOT_FOUND', { resource: 'test suite', id });
}

/** The variables of a test suite, oldest first; `variableType` 0 selects every type. */
export async function listVariables(db: Queryable, testSuiteId: number, variableType = 0): Promise<VariableView[]> {
  const rows = await db.query<VariableRow>(
    'select * from variables where test_suite_id = $1 and ($2::int = 0 or variable_type = $2::int) order by id',
    [testSuiteId, variableType],
  );
  if (rows.length === 0) return [];
  const texts = await referenceTexts(db, testSuiteId);
  return rows.map((row) => variableView(row, referencedNames(row).some((n) => texts.some((t) => t.includes(`\${${n}}`)))));
}

/** The stored JSON of every case and transaction of a suite: where `${name}` references live. */
async function referenceTexts(db: Queryable, testSuiteId: number): Promise<string[]> {
  const rows = await db.query<{ t: string }>(
    `select doc::text as t from cases where test_suite_id = $1
     union all select doc::text as t from templates where test_suite_id = $1`,
    [testSuiteId],
  );
  return rows.map((r) => r.t);
}

/** The names a case uses to reference `row`: its name, or a file variable's column names. */
function referencedNames(row: VariableRow): string[] {
  if (row.variable_type !== VariableType.File) return [row.name];
  const first = row.doc.variable[0];
  if (Array.isArray(first)) return first.map(String);
  if (typeof first === 'string') return (first.split(/\r?\n/)[0] ?? '').split(',').map((c) => c.trim().replace(/^"|"$/g, ''));
  return [];
}

/** The wire shape of a stored variable. */
export function variableView(row: VariableRow, isQuoted: boolean): VariableView {
  return {
    file_size: row.doc.file_size ?? 0,
    id: row.id,
    is_quoted: isQuoted,
    is_sensitive: row.doc.is_sensitive ?? false,
    name: row.name,
    share_mode: row.doc.share_mode ?? 0,
    variable: row.doc.variable ?? [],
    variable_mode: row.doc.variable_mode ?? 0,
    variable_type: row.variable_type,
  };
}

/** Throws the 409 when `name` (element `index` of the body) is taken by another variable. */
function conflict(index: number, name: string, otherId: number, testSuiteId: number): never {
  throw apiError('CONFLICT', {
    detail: `[${index}].name "${name}" is already used by variable ${otherId} of test suite ${testSuiteId}`,
  });
}

/** Creates `items` in test suite `testSuiteId` of `project`, all or none; returns their ids in order. */
export async function createVariables(tx: Queryable, project: string, testSuiteId: number, items: readonly VariableInput[]): Promise<number[]> {
  await lockTestSuite(tx, project, testSuiteId);
  const existing = await tx.query<{ id: number; name: string }>('select id, name from variables where test_suite_id = $1', [testSuiteId]);
  const taken = new Map(existing.map((r) => [r.name, r.id]));
  items.forEach((item, i) => {
    const other = taken.get(item.name);
    if (other !== undefined) conflict(i, item.name, other, testSuiteId);
  });
  const ids: number[] = [];
  for (const item of items) {
    const [row] = await tx.query<{ id: number }>(
      'insert into variables(test_suite_id, name, variable_type, doc) values ($1, $2, $3, $4::jsonb) returning id',
      [testSuiteId, item.name, item.variable_type, json(variableDoc(item))],
    );
    ids.push(row.id);
  }
  return ids;
}

/**
 * Applies `updates` to variables of test suite `testSuiteId` of `project`, all or none. Unknown ids
 * are 404s; a name clash after all updates is a 409 naming the element.
 */
export async function updateVariables(
  tx: Queryable,
  project: string,
  testSuiteId: number,
  updates: readonly VariableUpdate[],
): Promise<void> {
  await lockTestSuite(tx, project, testSuiteId);
  const rows = await tx.query<VariableRow>('select * from variables where test_suite_id = $1', [testSuiteId]);
  const byId = new Map(rows.map((r) => [r.id, r]));
  const finalName = new Map(rows.map((r) => [r.id, r.name]));
  for (const u of updates) {
    if (!byId.has(u.id)) throw apiError('NOT_FOUND', { resource: 'variable', id: u.id });
    finalName.set(u.id, u.name);
  }
  updates.forEach((u, i) => {
    for (const [id, name] of finalName) if (id !== u.id && name === u.name) conflict(i, u.name, id, testSuiteId);
  });
  for (const u of updates) {
    await tx.query(
      `update variables set name = $2, variable_type = $3, doc = $4::jsonb, updated_at = now() where id = $1`,
      [u.id, u.name, u.variable_type, json(variableDoc(u, (byId.get(u.id) as VariableRow).doc))],
    );
  }
}

/** Deletes variable `id` of test suite `testSuiteId` of `project`, or throws the 404 naming what is missing. */
export async function deleteVariable(db: Queryable, project: string, testSuiteId: number, id: number): Promise<void> {
  await requireTestSuite(db, project, testSuiteId);
  const rows = await db.query('delete from variables where id = $1 and test_suite_id = $2 returning id', [id, testSuiteId]);
  if (rows.length === 0) throw apiError('NOT_FOUND', { resource: 'variable', id });
}
