/**
 * The error catalogue: every error the API returns, with its stable `error_code`, HTTP status and
 * message template. `{name}` placeholders are filled from the details passed to `apiError`.
 */
export const ERRORS = {
  BAD_REQUEST: { code: 'CPTS.00000400', status: 400, message: '{detail}' },
  INVALID_FIELD: { code: 'CPTS.00000401', status: 400, message: '{field} {detail}' },
  PROJECT_ID_MISMATCH: {
    code: 'CPTS.00000402',
    status: 400,
    message: 'X-Project-Id header {header} does not match the project_id {path} of the path',
  },
  INVALID_JSON: { code: 'CPTS.00000403', status: 400, message: 'body is not valid JSON: {detail}' },
  UNAUTHORIZED: { code: 'CPTS.00001401', status: 401, message: '{detail}' },
  FORBIDDEN: {
    code: 'CPTS.00001403',
    status: 403,
    message: 'the credential has no rights on project_id {project}',
  },
  NOT_FOUND: { code: 'CPTS.00000404', status: 404, message: '{resource} {id} does not exist' },
  ROUTE_NOT_FOUND: { code: 'CPTS.00000405', status: 404, message: 'no route for {method} {url}' },
  METHOD_NOT_ALLOWED: { code: 'CPTS.00000406', status: 405, message: '{method} is not allowed on {url}' },
  CONFLICT: { code: 'CPTS.00000409', status: 409, message: '{detail}' },
  REQUEST_TIMEOUT: { code: 'CPTS.00000408', status: 408, message: 'the request was not received within {seconds} s' },
  PAYLOAD_TOO_LARGE: { code: 'CPTS.00000413', status: 413, message: 'body exceeds {limit} bytes' },
  URI_TOO_LONG: { code: 'CPTS.00000414', status: 414, message: 'the URL exceeds {limit} bytes' },
  HEADERS_TOO_LARGE: { code: 'CPTS.00000431', status: 431, message: 'the request line and headers exceed {limit} bytes' },
  UNSUPPORTED_MEDIA_TYPE: {
    code: 'CPTS.00000415',
    status: 415,
    message: 'Content-Type {type} is not supported; send application/json',
  },
  INVALID_CASE: { code: 'CPTS.00000422', status: 400, message: 'the case cannot run: {detail}' },
  LIMIT_EXCEEDED: {
    code: 'CPTS.00000410',
    status: 400,
    message: '{what} is {asked}: the limit {limit} allows at most {allowed}',
  },
  INTERNAL: { code: 'CPTS.00000500', status: 500, message: 'internal error, request id {requestId}' },
  UNAVAILABLE: { code: 'CPTS.00000503', status: 503, message: '{detail}' },
} as const satisfies Record<string, { code: string; status: number; message: string }>;

export type ErrorName = keyof typeof ERRORS;

/** An error the API turns into `{error_code, error_msg}` with the catalogue's status. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly kind: ErrorName,
    readonly status: number,
    readonly errorCode: string,
    message: string,
  ) {
    super(message);
  }
}

/** Builds the catalogue error `kind`, filling its message template from `details`. */
export function apiError(kind: ErrorName, details: Record<string, string | number> = {}): ApiError {
  const entry = ERRORS[kind];
  const message = entry.message.replace(/\{(\w+)\}/g, (whole, key: string) =>
    key in details ? String(details[key]) : whole,
  );
  return new ApiError(kind, entry.status, entry.code, message);
}
