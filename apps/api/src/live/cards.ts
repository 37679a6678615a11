/**
 * The per-card table of the live stream: each request card's whole-run figures so far, read from the
 * case run's report accumulator, computed as the report's detail rows compute them (same rounding),
 * so that once the case run has ended they equal the report's rows.
 */
import type { CardInfo, LiveCard } from '@perftest/model';
import type { CaseRunAccumulator } from '@perftest/engine';
import { round } from '../reports/round.js';

/** The cards of `acc` in the case's order (cards seen only in rows follow), as of what it has folded. */
export function liveCards(acc: CaseRunAccumulator, cards: readonly CardInfo[]): LiveCard[] {
  const rateSeconds = Math.max(1, acc.series.span);
  const known = new Set(cards.map((c) => c.key));
  const rows: Array<{ key: string; name: string }> = cards.map((c) => ({ key: c.key, name: c.name }));
  for (const key of acc.cards.keys()) if (!known.has(key)) rows.push({ key, name: key });
  return rows.map(({ key, name }) => {
    const cell = acc.cards.get(key);
    if (cell === undefined || cell.requests === 0) return { key, name, count: 0, tps: 0, avg: 0, p90: 0, p99: 0, errors: 0 };
    const success = cell.outcomes.success;
    return {
      key,
      name,
      count: cell.requests,
      tps: round(success / rateSeconds, 3),
      avg: round(cell.rtSumUs / cell.requests / 1000, 3),
      p90: cell.histogram.getValueAtPercentile(90) / 1000,
      p99: cell.histogram.getValueAtPercentile(99) / 1000,
      errors: cell.requests - success,
    };
  });
}
