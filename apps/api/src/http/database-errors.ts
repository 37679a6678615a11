/**
 * A Postgres error caused by the data a client sent is that client's 400, never a 500: SQLSTATE
 * class 22 (data exception: numeric overflow, invalid byte sequence, untranslatable character,
 * bad JSON text) and 54001 (nesting too deep). Validation rejects most such input first and names
 * the field; this is the net under it, for both drivers (postgres.js and PGlite carry `code`
 * alike). The field is named from the driver's column, else by finding the offending value in
 * the request's path, query or body.
 */
import { apiError, type ApiError } from '@perftest/model';

/** What the request carried, as Fastify parsed it. */
export interface RequestInput {
  params?: unknown;
  query?: unknown;
  body?: unknown;
  headers?: Record<string, string | string[] | undefined>;
}

/** The value Postgres quotes in messages such as `value "2147483648" is out of range for type integer`. */
const QUOTED_VALUE = /"([^"]*)"/;
/** How many nodes of a body the search visits at most. */
const SEARCH_LIMIT = 10_000;

/** `path parameter x`, `query parameter y` or a body path such as `stages[0].time`, holding `text`. */
function locate(input: RequestInput, text: string): string | undefined {
  const parts: Array<[string, unknown]> = [
    ['path parameter ', input.params],
    ['query parameter ', input.query],
    ['', input.body],
  ];
  for (const [prefix, root] of parts) {
    const stack: Array<{ v: unknown; at: string }> = [{ v: root, at: '' }];
    for (let visited = 0; stack.length > 0 && visited < SEARCH_LIMIT; visited++) {
      const { v, at } = stack.pop() as { v: unknown; at: string };
      if ((typeof v === 'number' || typeof v === 'string') && String(v) === text && at !== '') return `${prefix}${at}`;
      if (v === null || typeof v !== 'object') continue;
      if (Array.isArray(v)) v.forEach((item, i) => stack.push({ v: item, at: `${at}[${i}]` }));
      else for (const [key, item] of Object.entries(v)) stack.push({ v: item, at: at === '' ? key : `${at}.${key}` });
    }
  }
  return undefined;
}

/** The 400 for a client-caused database error, or undefined when `err` is not one. */
export function databaseInputError(err: Error, input: RequestInput = {}): ApiError | undefined {
  const code = (err as { code?: unknown }).code;
  if (typeof code !== 'string' || !/^[0-9A-Z]{5}$/.test(code)) return undefined;
  if (!code.startsWith('22') && code !== '54001') return undefined;
  const column = (err as { column_name?: unknown; column?: unknown }).column_name ?? (err as { column?: unknown }).column;
  const quoted = QUOTED_VALUE.exec(err.message)?.[1];
  const field = (typeof column === 'string' && column !== '' ? column : undefined) ?? (quoted === undefined ? undefined : locate(input, quoted)) ?? 'a request value';
  return apiError('INVALID_FIELD', { field, detail: `cannot be stored: ${err.message}` });
}
