/**
 * The SDK-HMAC-SHA256 signature of the Huawei Cloud SDKs (docs/wire-contract.md, "AK/SK signing"):
 * the server rebuilds it to verify a request; tests and benchmarks use it to sign as the SDKs do.
 */
import { createHash, createHmac } from 'node:crypto';

export const SIGN_ALGORITHM = 'SDK-HMAC-SHA256';
const EMPTY_SHA256 = createHash('sha256').update('').digest('hex');

/** What a signature covers. `headers` are looked up case-insensitively. */
export interface SignableRequest {
  method: string;
  /** Path without query, as sent (percent-encoded or not). */
  path: string;
  /** Query parameters; repeated names as arrays. */
  query: Record<string, string | string[] | undefined>;
  headers: Record<string, string | string[] | undefined>;
  /** Raw body bytes; undefined or empty for none. */
  body: Buffer | string | undefined;
}

/** Percent-encodes like the SDKs: everything but A-Z a-z 0-9 - _ . ~ */
export function sdkEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** The canonical URI: each segment decoded then re-encoded, with a trailing slash. */
export function canonicalUri(path: string): string {
  const uri = path.split('/').map((segment) => sdkEncode(safeDecode(segment))).join('/');
  return uri.endsWith('/') ? uri : `${uri}/`;
}

/** The canonical query: names sorted, values of a repeated name sorted, each pair encoded. */
export function canonicalQuery(query: SignableRequest['query']): string {
  const pairs: string[] = [];
  for (const name of Object.keys(query).sort()) {
    const raw = query[name];
    if (raw === undefined) continue;
    const values = Array.isArray(raw) ? [...raw].sort() : [raw];
    for (const value of values) pairs.push(`${sdkEncode(name)}=${sdkEncode(value)}`);
  }
  return pairs.join('&');
}

function headerValue(headers: SignableRequest['headers'], name: string): string {
  const lower = name.toLowerCase();
  for (const key of Object.keys(headers)) {
    if (key.toLowerCase() === lower) {
      const value = headers[key];
      return (Array.isArray(value) ? value.join(',') : (value ?? '')).trim();
    }
  }
  return '';
}

/** Hex SHA-256 of the body, or the X-Sdk-Content-Sha256 header when it says UNSIGNED-PAYLOAD. */
export function payloadHash(req: SignableRequest): string {
  if (headerValue(req.headers, 'x-sdk-content-sha256') === 'UNSIGNED-PAYLOAD') return 'UNSIGNED-PAYLOAD';
  if (req.body === undefined || req.body.length === 0) return EMPTY_SHA256;
  return createHash('sha256').update(req.body).digest('hex');
}

/** The canonical request over `signedHeaders` (lower-case names, in the listed order). */
export function canonicalRequest(req: SignableRequest, signedHeaders: readonly string[]): string {
  const canonicalHeaders = signedHeaders.map((h) => `${h}:${headerValue(req.headers, h)}\n`).join('');
  return [
    req.method.toUpperCase(),
    canonicalUri(req.path),
    canonicalQuery(req.query),
    canonicalHeaders,
    signedHeaders.join(';'),
    payloadHash(req),
  ].join('\n');
}

/** The hex signature of a request signed at `sdkDate` (YYYYMMDDTHHMMSSZ) with secret `sk`. */
export function signature(req: SignableRequest, signedHeaders: readonly string[], sdkDate: string, sk: string): string {
  const hashed = createHash('sha256').update(canonicalRequest(req, signedHeaders)).digest('hex');
  const stringToSign = `${SIGN_ALGORITHM}\n${sdkDate}\n${hashed}`;
  return createHmac('sha256', sk).update(stringToSign).digest('hex');
}

/** Formats a date as the SDKs' X-Sdk-Date. */
export function sdkDate(date: Date = new Date()): string {
  return date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

/**
 * Signs a request as the SDKs do: adds X-Sdk-Date and Authorization to `req.headers` (which must
 * already hold Host), signing every header present.
 */
export function signRequest(req: SignableRequest, ak: string, sk: string, date: Date = new Date()): Record<string, string> {
  const stamp = sdkDate(date);
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(',') : v;
  headers['X-Sdk-Date'] = stamp;
  const signed = Object.keys(headers)
    .map((h) => h.toLowerCase())
    .filter((h) => h !== 'authorization')
    .sort();
  const sig = signature({ ...req, headers }, signed, stamp, sk);
  headers.Authorization = `${SIGN_ALGORITHM} Access=${ak}, SignedHeaders=${signed.join(';')}, Signature=${sig}`;
  return headers;
}
