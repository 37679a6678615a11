/** Times on the wire: ISO-8601 with an offset, as the reference's examples write them. */

/** `2022-09-20T14:23:42.874+00:00` for a Date (or a value a Date accepts); null stays null. */
export function isoTime(value: Date | string | number): string;
export function isoTime(value: Date | string | number | null | undefined): string | null;
export function isoTime(value: Date | string | number | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  const date = value instanceof Date ? value : new Date(value);
  return date.toISOString().replace('Z', '+00:00');
}

/** `YYYY-MM-DD HH:mm:ss` (UTC), the shape of report curve timestamps. */
export function curveTime(epochSecond: number): string {
  return new Date(epochSecond * 1000).toISOString().slice(0, 19).replace('T', ' ');
}
