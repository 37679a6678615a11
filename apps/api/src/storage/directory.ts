/**
 * The case tree of a test suite: its directories, then its cases, each with its parent
 * (`parent_id` 0 is the root; a case whose directory is not in the suite sits at the root).
 */
import { DIRECTORY_ENTRY_TYPE } from '@perftest/model';
import type { Queryable } from '@perftest/store';

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
