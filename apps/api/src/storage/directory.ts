/**
 * Directories of cases and the case tree of a test suite: its directories, then its cases, each with
 * its parent (`parent_id` 0 is the root; a case whose directory is not in the suite sits at the
 * root). Directory names are unique within a test suite; a directory that still holds cases cannot
 * be deleted. Writers of a suite's directories queue on the suite's row; a case saved into a
 * directory holds the directory's row (key share) until its transaction ends, so a delete sees it.
 */
import { apiError, DIRECTORY_ENTRY_TYPE } from '@perftest/model';
import type { Queryable } from '@perftest/store';
import { lockTestSuite } from './variables.js';

/** One entry of the tree as stored. */
export interface DirectoryEntry {
  id: number;
  name: string;
  status: number;
  parent_id: number;
  /** 1 a directory, 2 a case. */
  type: number;
  created_at: Date;
  updated_at: Date;
}

/** A stored directory. */
export interface DirectoryRow {
  id: number;
  test_suite_id: number;
  parent_id: number | null;
  name: string;
  sort: number;
  created_at: Date;
  updated_at: Date;
}

const DIRECTORY_ENABLED = 1;

/** Every directory and case of a test suite, directories first, each group in (sort, id) order. */
export async function directoryEntries(db: Queryable, testSuiteId: number): Promise<DirectoryEntry[]> {
  const directories = await db.query<DirectoryEntry>(
    `select id, name, ${DIRECTORY_ENABLED} as status, coalesce(parent_id, 0) as parent_id,
            ${DIRECTORY_ENTRY_TYPE.directory} as type, created_at, updated_at
       from directories where test_suite_id = $1 order by sort, id`,
    [testSuiteId],
  );
  const cases = await db.query<DirectoryEntry>(
    `select c.id, c.name, c.status, coalesce(d.id, 0) as parent_id,
            ${DIRECTORY_ENTRY_TYPE.case} as type, c.created_at, c.updated_at
       from cases c left join directories d on d.id = c.directory_id and d.test_suite_id = c.test_suite_id
      where c.test_suite_id = $1 order by c.sort, c.id`,
    [testSuiteId],
  );
  return [...directories, ...cases];
}

/** The cases of a task as tree entries (parent as in the tree), in the task's order. */
export async function taskCaseEntries(db: Queryable, taskId: number): Promise<DirectoryEntry[]> {
  return db.query<DirectoryEntry>(
    `select c.id, c.name, c.status, coalesce(d.id, 0) as parent_id,
            ${DIRECTORY_ENTRY_TYPE.case} as type, c.created_at, c.updated_at
       from task_cases tc join cases c on c.id = tc.case_id
       left join directories d on d.id = c.directory_id and d.test_suite_id = c.test_suite_id
      where tc.task_id = $1 order by tc.position, tc.case_id`,
    [taskId],
  );
}

/**
 * The directory `id` of tenant `project`, whatever its suite, or a 404. With `hold`, it cannot be
 * deleted until the transaction ends (a case is being saved into it).
 */
export async function requireDirectory(db: Queryable, project: string, id: number, hold = false): Promise<DirectoryRow> {
  const [row] = await db.query<DirectoryRow>(
    `select d.* from directories d join test_suites s on s.id = d.test_suite_id
      where d.id = $1 and s.project = $2${hold ? ' for key share of d' : ''}`,
    [id, project],
  );
  if (!row) throw apiError('NOT_FOUND', { resource: 'directory', id });
  return row;
}

/** The directory `id` of test suite `testSuiteId` (of `project`, locked by the caller), or a 404. */
async function requireSuiteDirectory(tx: Queryable, testSuiteId: number, id: number): Promise<DirectoryRow> {
  const [row] = await tx.query<DirectoryRow>('select * from directories where id = $1 and test_suite_id = $2 for update', [id, testSuiteId]);
  if (!row) throw apiError('NOT_FOUND', { resource: 'directory', id });
  return row;
}

/** Throws the 409 when `name` is taken in the suite by a directory other than `self`. */
async function checkNameFree(tx: Queryable, testSuiteId: number, name: string, self = 0): Promise<void> {
  const [other] = await tx.query<{ id: number }>('select id from directories where test_suite_id = $1 and name = $2 and id <> $3', [
    testSuiteId,
    name,
    self,
  ]);
  if (other) {
    throw apiError('CONFLICT', { detail: `name "${name}" is already used by directory ${other.id} of test suite ${testSuiteId}` });
  }
}

/** Creates a directory at the root of test suite `testSuiteId` of `project`; returns its id. */
export async function createDirectory(tx: Queryable, project: string, testSuiteId: number, name: string): Promise<number> {
  await lockTestSuite(tx, project, testSuiteId);
  await checkNameFree(tx, testSuiteId, name);
  const [row] = await tx.query<{ id: number }>('insert into directories(test_suite_id, name) values ($1, $2) returning id', [testSuiteId, name]);
  return row.id;
}

/** Renames directory `id` of test suite `testSuiteId` of `project`. */
export async function renameDirectory(tx: Queryable, project: string, testSuiteId: number, id: number, name: string): Promise<void> {
  await lockTestSuite(tx, project, testSuiteId);
  await requireSuiteDirectory(tx, testSuiteId, id);
  await checkNameFree(tx, testSuiteId, name, id);
  await tx.query('update directories set name = $2, updated_at = now() where id = $1', [id, name]);
}

/**
 * Deletes directory `id` of test suite `testSuiteId` of `project`; a directory that still holds
 * cases or directories is a 409 naming how many (nothing is deleted).
 */
export async function deleteDirectory(tx: Queryable, project: string, testSuiteId: number, id: number): Promise<void> {
  await lockTestSuite(tx, project, testSuiteId);
  await requireSuiteDirectory(tx, testSuiteId, id);
  const [held] = await tx.query<{ cases: number; directories: number }>(
    `select (select count(*)::int from cases where test_suite_id = $2 and directory_id = $1) as cases,
            (select count(*)::int from directories where parent_id = $1) as directories`,
    [id, testSuiteId],
  );
  if (held.cases > 0 || held.directories > 0) {
    const parts = [
      held.cases > 0 ? `${held.cases} case${held.cases === 1 ? '' : 's'}` : '',
      held.directories > 0 ? `${held.directories} director${held.directories === 1 ? 'y' : 'ies'}` : '',
    ].filter(Boolean);
    throw apiError('CONFLICT', { detail: `directory ${id} still holds ${parts.join(' and ')}: move or delete them first` });
  }
  await tx.query('delete from directories where id = $1', [id]);
}

/** The `sort` a new case of directory `directoryId` gets: one past the directory's last case. */
export async function nextCaseSort(db: Queryable, testSuiteId: number, directoryId: number): Promise<number> {
  const [row] = await db.query<{ next: number }>(
    'select coalesce(max(sort), 0) + 1 as next from cases where test_suite_id = $1 and directory_id = $2',
    [testSuiteId, directoryId],
  );
  return Number(row.next);
}
