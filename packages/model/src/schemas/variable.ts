/**
 * Request schemas of the global-variable endpoints (reference 4.4) and the rules a variable's values
 * follow per `variable_type` (docs/case-format.md, "Global variables"). The schemas check shapes and
 * types; the value rules, which depend on the type, are checked by `variableValueProblem`.
 */
import { Type, type Static } from '@sinclair/typebox';
import { VariableType } from '../enums.js';
import { Nullable, ProjectId } from './common.js';

/** `variable_type` in the list path that selects every type (an addition to the documented 1, 2, 3, 5). */
export const ALL_VARIABLE_TYPES = 0;

/** The `variable_type` values the list path accepts. */
export const LISTABLE_VARIABLE_TYPES: readonly number[] = [ALL_VARIABLE_TYPES, ...Object.values(VariableType)];

/**
 * Path of GET /v1/{project_id}/variables/{variable_type}/test-suites/{test_suite_id}; `variable_type`
 * must be one of LISTABLE_VARIABLE_TYPES (checked by the route, to name the values in the error).
 */
export const VariableListParams = Type.Object({
  project_id: ProjectId,
  variable_type: Type.Integer(),
  test_suite_id: Type.Integer({ minimum: 1 }),
});
export type VariableListParams = Static<typeof VariableListParams>;

/** Query of DELETE /v1/{project_id}/variables. */
export const DeleteVariableQuery = Type.Object({
  variable_id: Type.Integer({ minimum: 1 }),
  test_suite_id: Type.Integer({ minimum: 1 }),
});
export type DeleteVariableQuery = Static<typeof DeleteVariableQuery>;

/** The fields a client may set on a variable, shared by create and update. */
const variableFields = {
  name: Type.String({ minLength: 1, maxLength: 256 }),
  variable_type: Type.Integer(),
  variable: Type.Array(Type.Any()),
  variable_mode: Type.Optional(Nullable(Type.Integer({ minimum: 0, maximum: 1 }))),
  share_mode: Type.Optional(Nullable(Type.Integer({ minimum: 0, maximum: 1 }))),
  is_quoted: Type.Optional(Nullable(Type.Boolean())),
  is_sensitive: Type.Optional(Nullable(Type.Boolean())),
};

/** One element of the POST body (CreateVariableRequestBody); a sent `id` is ignored. */
export const CreateVariableItem = Type.Object({ id: Type.Optional(Nullable(Type.Integer())), ...variableFields });
export type CreateVariableItem = Static<typeof CreateVariableItem>;

/** POST /v1/{project_id}/variables/{test_suite_id}: an array of variables. */
export const CreateVariablesRequest = Type.Array(CreateVariableItem, { minItems: 1, maxItems: 1000 });
export type CreateVariablesRequest = Static<typeof CreateVariablesRequest>;

/** One element of the PUT body (UpdateVariableRequestBody): `id` names the variable changed. */
export const UpdateVariableItem = Type.Object({ id: Type.Integer({ minimum: 1 }), ...variableFields });
export type UpdateVariableItem = Static<typeof UpdateVariableItem>;

/** PUT /v1/{project_id}/variables/{test_suite_id}: an array of variables with ids. */
export const UpdateVariablesRequest = Type.Array(UpdateVariableItem, { minItems: 1, maxItems: 1000 });
export type UpdateVariablesRequest = Static<typeof UpdateVariablesRequest>;

/** A problem with one part of a variable: `field` is relative to the variable (`variable[1]`). */
export interface VariableProblem {
  field: string;
  detail: string;
}

const isScalar = (v: unknown): boolean => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
const isIntegerValue = (v: unknown): boolean =>
  (typeof v === 'number' && Number.isSafeInteger(v)) || (typeof v === 'string' && /^\s*-?\d{1,15}\s*$/.test(v));

/** Why `name` cannot be referenced as `${name}`, or undefined when it can. */
export function variableNameProblem(name: string): string | undefined {
  if (name.trim() !== name || name === '') return 'must not be blank or begin or end with whitespace';
  if (/[{}]/.test(name)) return 'must not contain { or }';
  return undefined;
}

/**
 * Checks `variable` against the rules of `variableType`: 1 integer `[min, max]` with integers (or
 * integer strings) min <= max; 2 enumeration, a non-empty list of strings, numbers or booleans;
 * 3 file, rows whose first row names the columns (`[["user","pwd"],["alice","a1"]]`) with at least
 * one data row of the same width, or CSV text lines with a header line; 5 text, one string.
 * Returns the first problem, or undefined.
 */
export function variableValueProblem(variableType: number, variable: readonly unknown[]): VariableProblem | undefined {
  switch (variableType) {
    case VariableType.Integer: {
      if (variable.length !== 2) return { field: 'variable', detail: 'of an integer variable must be [min, max]' };
      const bad = variable.findIndex((v) => !isIntegerValue(v));
      if (bad >= 0) return { field: `variable[${bad}]`, detail: 'must be an integer' };
      if (Number(variable[0]) > Number(variable[1])) return { field: 'variable', detail: 'min must not exceed max' };
      return undefined;
    }
    case VariableType.Enumeration: {
      if (variable.length === 0) return { field: 'variable', detail: 'of an enumeration variable must hold at least one value' };
      const bad = variable.findIndex((v) => !isScalar(v));
      return bad >= 0 ? { field: `variable[${bad}]`, detail: 'must be a string, number or boolean' } : undefined;
    }
    case VariableType.File:
      return fileProblem(variable);
    case VariableType.Text:
      if (variable.length !== 1 || typeof variable[0] !== 'string') {
        return { field: 'variable', detail: 'of a text variable must hold exactly one string' };
      }
      return undefined;
    default:
      return { field: 'variable_type', detail: 'must be 1 (integer), 2 (enumeration), 3 (file) or 5 (text)' };
  }
}

function fileProblem(rows: readonly unknown[]): VariableProblem | undefined {
  if (rows.length > 0 && rows.every((r) => typeof r === 'string')) {
    const lines = (rows as string[]).flatMap((r) => r.split(/\r?\n/)).filter((l) => l.trim() !== '');
    if (lines.length < 2) return { field: 'variable', detail: 'of a file variable needs a header line and at least one data line' };
    return undefined;
  }
  const notRow = rows.findIndex((r) => !Array.isArray(r));
  if (notRow >= 0) return { field: `variable[${notRow}]`, detail: 'must be a row (an array of cells)' };
  const table = rows as unknown[][];
  if (table.length < 2) return { field: 'variable', detail: 'of a file variable needs a header row and at least one data row' };
  const header = table[0];
  if (header.length === 0) return { field: 'variable[0]', detail: 'must name at least one column' };
  for (let c = 0; c < header.length; c++) {
    const cell = header[c];
    const problem = typeof cell === 'string' ? variableNameProblem(cell) : 'must be a column name (a string)';
    if (problem) return { field: `variable[0][${c}]`, detail: problem };
  }
  for (let r = 1; r < table.length; r++) {
    if (table[r].length !== header.length) {
      return { field: `variable[${r}]`, detail: `has ${table[r].length} cells, the header ${header.length}` };
    }
    const bad = table[r].findIndex((v) => v !== null && !isScalar(v));
    if (bad >= 0) return { field: `variable[${r}][${bad}]`, detail: 'must be a string, number, boolean or null' };
  }
  return undefined;
}
