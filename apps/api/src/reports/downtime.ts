/**
 * The time a case run was down, from its recorded interruptions (case_runs.interruptions): the
 * whole seconds during which every share of it had lost its worker. A report leaves them out of the
 * case run's duration and of the divisor of its rates (docs/reports.md, "What is counted"): a run
 * resumed after a restart reports its load time, not the time its server was down. A share
 * interrupted while the others ran is not downtime (the case run still sent load).
 */
import type { Interruption } from '@perftest/model';

type Span = readonly [number, number];

/** Sorted, disjoint union of spans (epoch ms). */
function union(spans: Span[]): Span[] {
  const sorted = [...spans].sort((a, b) => a[0] - b[0]);
  const out: Array<[number, number]> = [];
  for (const [from, to] of sorted) {
    const last = out.at(-1);
    if (last !== undefined && from <= last[1]) last[1] = Math.max(last[1], to);
    else out.push([from, to]);
  }
  return out;
}

/** Intersection of two sorted disjoint span lists. */
function intersect(a: Span[], b: Span[]): Span[] {
  const out: Span[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const from = Math.max(a[i][0], b[j][0]);
    const to = Math.min(a[i][1], b[j][1]);
    if (from < to) out.push([from, to]);
    if (a[i][1] < b[j][1]) i++;
    else j++;
  }
  return out;
}

/**
 * The whole seconds during which every share was interrupted, as [start, end) epoch-second ranges
 * (sorted, disjoint): S is down when every share was interrupted for all of [S, S+1).
 */
export function downRanges(interruptions: readonly Interruption[]): Array<[number, number]> {
  if (interruptions.length === 0) return [];
  const count = interruptions[0].share_count;
  const byShare = new Map<number, Span[]>();
  for (const i of interruptions) {
    const from = Date.parse(i.from);
    const to = Date.parse(i.to);
    if (!(to > from) || i.share_count !== count) continue;
    let list = byShare.get(i.share);
    if (list === undefined) byShare.set(i.share, (list = []));
    list.push([from, to]);
  }
  if (byShare.size < count) return [];
  let down: Span[] | undefined;
  for (const spans of byShare.values()) down = down === undefined ? union(spans) : intersect(down, union(spans));
  const out: Array<[number, number]> = [];
  for (const [from, to] of down ?? []) {
    const start = Math.ceil(from / 1000);
    const end = Math.floor(to / 1000);
    if (end > start) out.push([start, end]);
  }
  return out;
}

/** Down seconds (downRanges) from `first` to `last` (epoch seconds, the report's data window). */
export function downSeconds(interruptions: readonly Interruption[], first: number, last: number): number {
  if (!(last >= first)) return 0;
  let seconds = 0;
  for (const [start, end] of downRanges(interruptions)) {
    const from = Math.max(first, start);
    const to = Math.min(last + 1, end);
    if (to > from) seconds += to - from;
  }
  return seconds;
}
