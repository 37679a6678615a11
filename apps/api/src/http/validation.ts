/**
 * Request validation: bodies are validated strictly (a string is not an integer), while path and
 * query parameters are coerced from their text form. Errors name the field as a client wrote it.
 * Every schema is hardened before compiling so that what passes can be stored: integers stay within
 * ±2^53-1 (no int8 overflow, no Infinity from `1e309`), text carries no NUL or unpaired surrogate
 * (Postgres refuses both), and free-form JSON is checked the same way and kept to a sane depth.
 */
import AjvModule, { type ErrorObject } from 'ajv';
import type { FastifySchemaCompiler } from 'fastify';

// ajv is CommonJS: its class is the default export's `default` under NodeNext.
const Ajv = AjvModule.default;
const common = { allErrors: false, useDefaults: true, removeAdditional: false, strict: false } as const;
const bodyAjv = new Ajv({ ...common, coerceTypes: false });
const paramAjv = new Ajv({ ...common, coerceTypes: 'array' });

/** NUL, or a surrogate half without its partner: text Postgres cannot store. */
const UNSTORABLE_TEXT = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/** Deepest nesting accepted in a free-form JSON field. */
export const MAX_JSON_DEPTH = 64;

/** True when `value` (any JSON) holds only storable text and nests at most MAX_JSON_DEPTH deep. */
export function storableJson(value: unknown): boolean {
  const stack: Array<{ v: unknown; d: number }> = [{ v: value, d: 0 }];
  while (stack.length > 0) {
    const { v, d } = stack.pop() as { v: unknown; d: number };
    if (typeof v === 'string') {
      if (UNSTORABLE_TEXT.test(v)) return false;
    } else if (typeof v === 'number') {
      if (!Number.isFinite(v)) return false;
    } else if (v !== null && typeof v === 'object') {
      if (d >= MAX_JSON_DEPTH) return false;
      if (Array.isArray(v)) for (const item of v) stack.push({ v: item, d: d + 1 });
      else
        for (const [key, item] of Object.entries(v)) {
          if (UNSTORABLE_TEXT.test(key)) return false;
          stack.push({ v: item, d: d + 1 });
        }
    }
  }
  return true;
}

for (const ajv of [bodyAjv, paramAjv]) {
  ajv.addKeyword({
    keyword: 'storableText',
    type: 'string',
    schemaType: 'boolean',
    validate: (_: boolean, data: string) => !UNSTORABLE_TEXT.test(data),
    error: { message: 'must not contain NUL or unpaired surrogate characters' },
  });
  ajv.addKeyword({
    keyword: 'storableJson',
    schemaType: 'boolean',
    validate: (_: boolean, data: unknown) => storableJson(data),
    error: { message: `must not contain NUL or unpaired surrogate characters, nor nest deeper than ${MAX_JSON_DEPTH}` },
  });
}

/** Keywords whose value maps names to schemas (not a schema itself). */
const SCHEMA_MAPS = new Set(['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas']);

/** Largest integer magnitude accepted anywhere: exact in JS, within int8 in Postgres. */
const INT_LIMIT = Number.MAX_SAFE_INTEGER;

/**
 * A copy of `schema` with the storability rules added: integer and number bounds where none are
 * declared, `storableText` on strings, `storableJson` on schemas that accept anything.
 */
export function hardenSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(hardenSchema);
  if (schema === null || typeof schema !== 'object') return schema;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'const' || key === 'enum' || key === 'default' || key === 'examples' || key === 'required') out[key] = value;
    else if (SCHEMA_MAPS.has(key) && value !== null && typeof value === 'object') {
      out[key] = Object.fromEntries(Object.entries(value).map(([name, sub]) => [name, hardenSchema(sub)]));
    } else out[key] = hardenSchema(value);
  }
  const types = [out.type].flat();
  const limit = types.includes('integer') ? INT_LIMIT : types.includes('number') ? Number.MAX_VALUE : undefined;
  if (limit !== undefined) {
    if (typeof out.maximum !== 'number' && typeof out.exclusiveMaximum !== 'number') out.maximum = limit;
    if (typeof out.minimum !== 'number' && typeof out.exclusiveMinimum !== 'number') out.minimum = -limit;
  }
  if (types.includes('string')) out.storableText = true;
  const shapeKeys = ['type', 'const', 'enum', 'anyOf', 'oneOf', 'allOf', 'not', '$ref', 'properties', 'items'];
  const freeForm = (types.includes('object') && !('properties' in out)) || (types.includes('array') && !('items' in out));
  if (freeForm || !shapeKeys.some((k) => k in out)) out.storableJson = true;
  return out;
}

/** Compiles route schemas, hardened, with the ajv that fits the HTTP part. */
export const validatorCompiler: FastifySchemaCompiler<unknown> = ({ schema, httpPart }) => {
  const ajv = httpPart === 'body' ? bodyAjv : paramAjv;
  return ajv.compile(hardenSchema(schema) as object) as ReturnType<FastifySchemaCompiler<unknown>>;
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
