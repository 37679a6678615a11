/**
 * Global variables, reference 4.4: list (all types with variable_type 0, else one type), create and
 * update (array bodies, all elements or none), delete. Element problems name the element: `[2].name`.
 */
import {
  apiError,
  CreateVariablesRequest,
  DeleteVariableQuery,
  LISTABLE_VARIABLE_TYPES,
  ProjectParams,
  TestSuiteParams,
  UpdateVariablesRequest,
  VariableListParams,
  variableNameProblem,
  variableValueProblem,
} from '@perftest/model';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { success } from '../http/envelope.js';
import { requireTestSuite } from '../storage/test-suites.js';
import { createVariables, deleteVariable, listVariables, updateVariables, type VariableInput } from '../storage/variables.js';

/** Throws the 400 naming element `index`'s `field`. */
function invalid(index: number, field: string, detail: string): never {
  throw apiError('INVALID_FIELD', { field: `[${index}].${field}`, detail });
}

/**
 * Checks what the schema cannot: names usable as `${name}`, values that fit their type, no name
 * (and, for updates, no id) given twice in one body.
 */
function checkVariables(items: ReadonlyArray<VariableInput & { id?: number | null }>, withIds: boolean): void {
  const names = new Map<string, number>();
  const ids = new Map<number, number>();
  items.forEach((item, i) => {
    const nameProblem = variableNameProblem(item.name);
    if (nameProblem) invalid(i, 'name', nameProblem);
    const valueProblem = variableValueProblem(item.variable_type, item.variable);
    if (valueProblem) invalid(i, valueProblem.field, valueProblem.detail);
    const sameName = names.get(item.name);
    if (sameName !== undefined) invalid(i, 'name', `"${item.name}" is also the name of [${sameName}]`);
    names.set(item.name, i);
    if (withIds && typeof item.id === 'number') {
      const sameId = ids.get(item.id);
      if (sameId !== undefined) invalid(i, 'id', `${item.id} is also the id of [${sameId}]`);
      ids.set(item.id, i);
    }
  });
}

/** The variable routes. */
export const variableRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/v1/:project_id/variables/:variable_type/test-suites/:test_suite_id',
    { schema: { params: VariableListParams } },
    async (request) => {
      const { project_id, variable_type, test_suite_id } = request.params;
      if (!LISTABLE_VARIABLE_TYPES.includes(variable_type)) {
        throw apiError('INVALID_FIELD', {
          field: 'path parameter variable_type',
          detail: 'must be 0 (every type), 1 (integer), 2 (enumeration), 3 (file) or 5 (text)',
        });
      }
      await requireTestSuite(app.db, project_id, test_suite_id);
      return success({ variable_list: await listVariables(app.db, test_suite_id, variable_type) });
    },
  );

  app.post(
    '/v1/:project_id/variables/:test_suite_id',
    { schema: { params: TestSuiteParams, body: CreateVariablesRequest } },
    async (request, reply) => {
      const { project_id, test_suite_id } = request.params;
      checkVariables(request.body, false);
      app.admission.checkVariables(request.body);
      const ids = await app.db.transaction((tx) => createVariables(tx, project_id, test_suite_id, request.body));
      void reply.status(201);
      return success({ json: { variable_id: ids[0] } });
    },
  );

  app.put(
    '/v1/:project_id/variables/:test_suite_id',
    { schema: { params: TestSuiteParams, body: UpdateVariablesRequest } },
    async (request, reply) => {
      const { project_id, test_suite_id } = request.params;
      checkVariables(request.body, true);
      app.admission.checkVariables(request.body);
      await app.db.transaction((tx) => updateVariables(tx, project_id, test_suite_id, request.body));
      void reply.status(201);
      return success({ json: { variable_id: request.body[0].id } });
    },
  );

  app.delete(
    '/v1/:project_id/variables',
    { schema: { params: ProjectParams, querystring: DeleteVariableQuery } },
    async (request) => {
      const { variable_id, test_suite_id } = request.query;
      await deleteVariable(app.db, request.params.project_id, test_suite_id, variable_id);
      return success({});
    },
  );
};
