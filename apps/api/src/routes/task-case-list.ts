/**
 * Changes to the case list of a task: setting it from ids (v3 update, reference 4.2.7) and
 * applying a `case_list` of full cases (v1 update, 4.2.3). Both run inside the caller's transaction.
 */
import { apiError, CASE_NAME_MAX, type CaseInfoDetail } from '@perftest/model';
import type { Queryable } from '@perftest/store';
import { CASE_DOCUMENT_FIELDS, casesOfTask, findCases, pickFields, requireCase, saveCase, type CaseDocument } from '../storage/cases.js';
import { setTaskCases, type TaskRow } from '../storage/tasks.js';

/**
 * Makes `caseIds` the task's cases, in that order. Each must be a case of the tenant (else 404) in
 * the task's test suite (else 400 naming its place in `case_id_list`).
 */
export async function setCaseIdList(tx: Queryable, project: string, task: TaskRow, caseIds: readonly number[]): Promise<void> {
  const found = new Map((await findCases(tx, project, caseIds, true)).map((row) => [row.id, row]));
  caseIds.forEach((id, i) => {
    const row = found.get(id);
    if (!row) throw apiError('NOT_FOUND', { resource: 'case', id });
    if (row.test_suite_id !== task.test_suite_id) {
      throw apiError('INVALID_FIELD', {
        field: `case_id_list[${i}]`,
        detail: `case ${id} belongs to test suite ${row.test_suite_id}, not to the task's test suite ${task.test_suite_id}`,
      });
    }
  });
  await setTaskCases(tx, task.id, caseIds);
}

/**
 * Applies the cases of a v1 `case_list`: each entry names a case of the task by `case_id`, and the
 * CaseInfoDetail fields it carries replace the stored ones (a non-empty `name` renames). The listed
 * cases come first in the task, in the list's order; the others keep their order after them.
 */
export async function applyCaseList(
  tx: Queryable,
  project: string,
  task: TaskRow,
  list: readonly CaseInfoDetail[],
  checkCase: (doc: CaseDocument, name: string) => void,
): Promise<void> {
  const current = await casesOfTask(tx, task.id, true);
  const inTask = new Map(current.map((row) => [row.id, row]));
  const listed = new Set<number>();
  for (const [i, entry] of list.entries()) {
    const field = `case_list[${i}].case_id`;
    const id = entry.case_id;
    if (id === undefined || id === null) throw apiError('INVALID_FIELD', { field, detail: 'is required' });
    const row = inTask.get(id);
    if (!row) {
      await requireCase(tx, project, id);
      throw apiError('INVALID_FIELD', { field, detail: `${id} is not a case of task ${task.id}` });
    }
    if (listed.has(id)) throw apiError('INVALID_FIELD', { field, detail: `repeats case ${id}` });
    listed.add(id);
    const name = typeof entry.name === 'string' && entry.name.length > 0 ? entry.name : row.name;
    if (name.length > CASE_NAME_MAX) {
      throw apiError('INVALID_FIELD', { field: `case_list[${i}].name`, detail: `must NOT have more than ${CASE_NAME_MAX} characters` });
    }
    const doc = { ...row.doc, ...pickFields(entry as Record<string, unknown>, CASE_DOCUMENT_FIELDS) };
    checkCase(doc, name);
    await saveCase(tx, row, name, doc);
  }
  const order = [...listed, ...current.map((row) => row.id).filter((id) => !listed.has(id))];
  await setTaskCases(tx, task.id, order);
}
