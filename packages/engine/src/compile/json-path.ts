/**
 * JSON key paths of extractions (GJSON-like): `data.items.0.id`, `children.#` (array length),
 * `children.1`. A leading `$.` and bracket indexes (`items[0]`) are accepted too. Compiled once into
 * segments; evaluated against a parsed body.
 */

/** A compiled key path. */
export type KeyPath = readonly string[];

/** Splits `expression` into segments, or returns an error message. */
export function compileKeyPath(expression: string): KeyPath | string {
  let text = expression.trim();
  if (text.startsWith('$')) text = text.slice(1);
  text = text.replace(/\[(\d+|#)\]/g, '.$1');
  if (text.startsWith('.')) text = text.slice(1);
  if (text === '') return 'key path is empty';
  const segments = text.split('.');
  if (segments.some((s) => s === '')) return `key path ${JSON.stringify(expression)} has an empty segment`;
  return segments;
}

/** The value at `path` in `root`, or undefined when a segment is missing. */
export function evaluateKeyPath(root: unknown, path: KeyPath): unknown {
  let value = root;
  for (let i = 0; i < path.length; i++) {
    const segment = path[i];
    if (value === null || typeof value !== 'object') return undefined;
    if (Array.isArray(value)) {
      if (segment === '#') {
        value = value.length;
        continue;
      }
      const index = Number(segment);
      if (!Number.isInteger(index) || index < 0 || index >= value.length) return undefined;
      value = value[index];
    } else {
      if (!Object.prototype.hasOwnProperty.call(value, segment)) return undefined;
      value = (value as Record<string, unknown>)[segment];
    }
  }
  return value;
}

/** A found JSON value as variable text: strings as they are, everything else as JSON. */
export function jsonValueText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}
