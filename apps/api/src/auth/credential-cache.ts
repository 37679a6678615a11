/**
 * A short-lived memory of verified credentials, so that a busy client's requests do not each look
 * up its access key or token in the database. An entry is trusted for CREDENTIAL_CACHE_MS: a key or
 * account removed by another process keeps working on a running server for at most that long, unless
 * the removal notifies CREDENTIALS_CHANGED (removeAccount does), which empties the cache at once.
 * A token's own expiry is always honoured. Unknown credentials are never remembered.
 */
import type { Queryable } from '@perftest/store';
import { findAccessKey, type AccessKeyRecord } from './accounts.js';
import { findToken, type TokenRecord } from './tokens.js';

/** How long a looked-up credential is used without asking the database again. */
export const CREDENTIAL_CACHE_MS = 5_000;

/** Entries kept per kind at most; the cache starts over when full (a bound, not an eviction policy). */
const MAX_ENTRIES = 10_000;

interface Entry<T> {
  value: T;
  until: number;
}

/** Access key → (secret, principal) and token → (principal, expiry), each for a few seconds. */
export class CredentialCache {
  private readonly keys = new Map<string, Entry<AccessKeyRecord>>();
  private readonly tokens = new Map<string, Entry<TokenRecord>>();

  constructor(
    private readonly db: Queryable,
    private readonly ttlMs = CREDENTIAL_CACHE_MS,
  ) {}

  /** The secret and principal of an access key, or undefined. */
  async accessKey(accessKey: string): Promise<AccessKeyRecord | undefined> {
    const now = Date.now();
    const hit = this.keys.get(accessKey);
    if (hit !== undefined && hit.until > now) return hit.value;
    const found = await findAccessKey(this.db, accessKey);
    remember(this.keys, accessKey, found, now + this.ttlMs);
    return found;
  }

  /** The principal and expiry of a valid token, or undefined (unknown or expired). */
  async token(token: string): Promise<TokenRecord | undefined> {
    const now = Date.now();
    const hit = this.tokens.get(token);
    if (hit !== undefined && hit.until > now && hit.value.expiresAt > now) return hit.value;
    const found = await findToken(this.db, token, new Date(now));
    remember(this.tokens, token, found, now + this.ttlMs);
    return found;
  }

  /** Forgets everything (credentials changed). */
  clear(): void {
    this.keys.clear();
    this.tokens.clear();
  }
}

function remember<T>(map: Map<string, Entry<T>>, key: string, value: T | undefined, until: number): void {
  if (value === undefined) {
    map.delete(key);
    return;
  }
  if (map.size >= MAX_ENTRIES) map.clear();
  map.set(key, { value, until });
}
