/** Password hashing with scrypt: `scrypt$<salt b64>$<hash b64>`, compared in constant time. */
import { randomBytes, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';

const scrypt = promisify(scryptCb) as (password: string, salt: Buffer, keylen: number) => Promise<Buffer>;
const KEY_LENGTH = 32;

/** Hashes a password with a fresh salt. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scrypt(password, salt, KEY_LENGTH);
  return `scrypt$${salt.toString('base64')}$${hash.toString('base64')}`;
}

/** True when `password` matches `stored` (a hashPassword result). */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, saltB64, hashB64] = stored.split('$');
  if (scheme !== 'scrypt' || !saltB64 || !hashB64) return false;
  const expected = Buffer.from(hashB64, 'base64');
  const actual = await scrypt(password, Buffer.from(saltB64, 'base64'), expected.length);
  return timingSafeEqual(actual, expected);
}

/** A hash no password matches, made once, for the users that do not exist. */
let unknownUserHash: Promise<string> | undefined;

/**
 * True when `password` matches `stored`; false for an unknown user (`stored` undefined), after the
 * same scrypt work as for a known one, so that the time taken does not tell which user names exist.
 */
export async function checkPassword(password: string, stored: string | undefined): Promise<boolean> {
  if (stored !== undefined) return verifyPassword(password, stored);
  unknownUserHash ??= hashPassword(randomSecret(24));
  await verifyPassword(password, await unknownUserHash);
  return false;
}

/** A random secret of `bytes` bytes, URL-safe. */
export function randomSecret(bytes = 24): string {
  return randomBytes(bytes).toString('base64url');
}

/** A random access key: 20 upper-case letters and digits, as cloud AKs look. */
export function randomAccessKey(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  return Array.from(randomBytes(20), (b) => alphabet[b % alphabet.length]).join('');
}
