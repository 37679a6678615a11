/** Field readers shared by the card compilers: each reports a problem instead of throwing. */

/** Reads an optional integer field in [min, max]; pushes a problem and returns undefined when bad. */
export function boundedInteger(
  value: unknown,
  fallback: number,
  min: number,
  max: number,
  problem: (message: string) => void,
): number | undefined {
  if (value === undefined || value === null || value === '') return fallback;
  const n = typeof value === 'string' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) {
    problem(`must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}`);
    return undefined;
  }
  return n;
}
