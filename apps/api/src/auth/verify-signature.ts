/**
 * Verifies an SDK-HMAC-SHA256 Authorization header: parses it, looks up the access key, rebuilds the
 * signature over the raw request and compares in constant time, within a 15-minute clock window.
 */
import { timingSafeEqual } from 'node:crypto';
import type { Queryable } from '@perftest/store';
import { findAccessKey, type AccessKeyRecord, type Principal } from './accounts.js';
import { SIGN_ALGORITHM, signature, type SignableRequest } from './signer.js';

export const CLOCK_WINDOW_MS = 15 * 60 * 1000;

/** Why a signature was refused, for the 401 message (never the secret or the expected signature). */
export type SignatureResult = { ok: true; principal: Principal } | { ok: false; reason: string };

const AUTH_PATTERN = new RegExp(`^${SIGN_ALGORITHM}\\s+(.*)$`);

/** Parses `Access=..., SignedHeaders=..., Signature=...`. */
export function parseAuthorization(header: string): { access: string; signedHeaders: string[]; signature: string } | undefined {
  const match = AUTH_PATTERN.exec(header.trim());
  if (!match) return undefined;
  const fields = new Map<string, string>();
  for (const part of match[1].split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const access = fields.get('Access');
  const signed = fields.get('SignedHeaders');
  const sig = fields.get('Signature');
  if (!access || !signed || !sig) return undefined;
  return { access, signedHeaders: signed.split(';').map((h) => h.trim().toLowerCase()), signature: sig.toLowerCase() };
}

/** Parses X-Sdk-Date (YYYYMMDDTHHMMSSZ). */
export function parseSdkDate(value: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return undefined;
  const date = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]));
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** How the secret of an access key is found: from the database or a cache in front of it. */
export type AccessKeyLookup = (accessKey: string) => Promise<AccessKeyRecord | undefined>;

/**
 * Verifies a signed request. `req.headers` are the request's headers (lower-case names); `lookup`
 * finds the access key (by default in `db`).
 */
export async function verifySignature(
  db: Queryable,
  authorization: string,
  req: SignableRequest,
  now = Date.now(),
  lookup?: AccessKeyLookup,
): Promise<SignatureResult> {
  const auth = parseAuthorization(authorization);
  if (!auth) return { ok: false, reason: `Authorization must be "${SIGN_ALGORITHM} Access=..., SignedHeaders=..., Signature=..."` };
  const rawDate = req.headers['x-sdk-date'];
  const date = typeof rawDate === 'string' ? parseSdkDate(rawDate) : undefined;
  if (!date) return { ok: false, reason: 'X-Sdk-Date header is missing or not YYYYMMDDTHHMMSSZ' };
  if (Math.abs(now - date.getTime()) > CLOCK_WINDOW_MS) {
    return { ok: false, reason: 'X-Sdk-Date is more than 15 minutes from the server clock' };
  }
  if (!auth.signedHeaders.includes('x-sdk-date')) return { ok: false, reason: 'SignedHeaders must include x-sdk-date' };
  for (const h of auth.signedHeaders) {
    if (req.headers[h] === undefined) return { ok: false, reason: `signed header ${h} is missing from the request` };
  }
  const key = lookup ? await lookup(auth.access) : await findAccessKey(db, auth.access);
  if (!key) return { ok: false, reason: 'the access key is unknown' };
  const expected = Buffer.from(signature(req, auth.signedHeaders, rawDate as string, key.secretKey), 'hex');
  const given = Buffer.from(auth.signature, 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, reason: 'the signature does not match the request' };
  }
  return { ok: true, principal: key.principal };
}
