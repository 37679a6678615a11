/**
 * Request validation: bodies are validated strictly (a string is not an integer), while path and
 * query parameters are coerced from their text form. Errors name the field as a client wrote it.
 */
import AjvModule, { type ErrorObject } from 'ajv';
import type { FastifySchemaCompiler } from 'fastify';

// ajv is CommonJS: its class is the default export's `default` under NodeNext.
const Ajv = AjvModule.default;
const common = { allErrors: false, useDefaults: true, removeAdditional: false, strict: false } as const;
const bodyAjv = new Ajv({ ...common, coerceTypes: false });
const paramAjv = new Ajv({ ...common, coerceTypes: 'array' });

/** Compiles route schemas with the ajv that fits the HTTP part. */
export const validatorCompiler: FastifySchemaCompiler<unknown> = ({ schema, httpPart }) => {
  const ajv = httpPart === 'body' ? bodyAjv : paramAjv;
  return ajv.compile(schema as object) as ReturnType<FastifySchemaCompiler<unknown>>;
};

/** `/stages/0/time` -> `stages[0].time`. */
function fieldPath(instancePath: string): string {
  return instancePath
    .split('/')
    .filter(Boolean)
    .map((seg, i) => (/^\d+$/.test(seg) ? `[${seg}]` : i === 0 ? seg : `.${seg}`))
    .join('');
}

const PART_NAMES: Record<string, string> = { body: '', params: 'path parameter ', querystring: 'query parameter ', headers: 'header ' };

/** One message naming the field, from ajv's errors for `part`. */
export function describeValidation(errors: readonly ErrorObject[], part: string): { field: string; detail: string } {
  const first = errors.find((e) => e.keyword !== 'anyOf') ?? errors[0];
  let field = fieldPath(first.instancePath);
  let detail = first.message ?? 'is invalid';
  if (first.keyword === 'required') {
    const missing = (first.params as { missingProperty: string }).missingProperty;
    field = field ? `${field}.${missing}` : missing;
    detail = 'is required';
  } else if (first.keyword === 'type' && errors.some((e) => e.keyword === 'anyOf' && e.instancePath === first.instancePath)) {
    detail = `${detail} or null`;
  }
  const prefix = PART_NAMES[part] ?? '';
  return { field: `${prefix}${field || (part === 'body' ? 'body' : part)}`, detail };
}
