/**
 * Turns a list of cards as stored into the cards that run, in order: disabled cards dropped, sorted
 * by `index` (array order where absent or equal), and transaction references replaced by the
 * transaction's own cards at their position. `content_id` != 0 names a transaction, except inside a
 * transaction where it may equal that transaction's id (an inline card, as in the reference 4.5.3
 * example) or name a packet or plug-in (then the card is inline too when it carries `content`).
 * Reference cycles are problems.
 */
import type { Contents, Transaction } from '@perftest/model';
import type { CaseProblem } from '../protocols/driver.js';

/** A card to compile with the path where problems about it are reported. */
export interface PlacedCard {
  readonly card: Contents;
  readonly path: string;
  /** Transactions being expanded around this card, outermost first. */
  readonly stack: readonly number[];
}

/** What expansion needs. */
export interface InlineContext {
  readonly transactions: ReadonlyMap<number, Transaction>;
  readonly problems: CaseProblem[];
}

/** Orders `cards` by index, keeping array order for absent or equal indexes. */
function ordered(cards: readonly (Contents | null | undefined)[]): Array<{ card: Contents; position: number }> {
  const out: Array<{ card: Contents; position: number; key: number }> = [];
  cards.forEach((card, position) => {
    if (card === null || card === undefined || typeof card !== 'object') return;
    out.push({ card, position, key: typeof card.index === 'number' ? card.index : position });
  });
  return out.sort((a, b) => a.key - b.key || a.position - b.position);
}

/**
 * The runnable cards of `cards` (found at `path`, e.g. "contents"), with transaction references
 * expanded. `stack` holds the transactions currently being expanded.
 */
export function expandCards(
  cards: readonly (Contents | null | undefined)[] | null | undefined,
  path: string,
  ctx: InlineContext,
  stack: readonly number[] = [],
): PlacedCard[] {
  const out: PlacedCard[] = [];
  if (cards === null || cards === undefined) return out;
  if (!Array.isArray(cards)) {
    ctx.problems.push({ path, message: 'must be an array of cards' });
    return out;
  }
  for (const { card, position } of ordered(cards)) {
    if (card.is_disabled === true) continue;
    const cardPath = `${path}[${position}]`;
    const id = card.content_id ?? 0;
    const inside = stack.length > 0 ? stack[stack.length - 1] : undefined;
    if (id === 0 || id === inside) {
      out.push({ card, path: cardPath, stack });
      continue;
    }
    const transaction = ctx.transactions.get(id);
    if (transaction === undefined) {
      if (inside !== undefined && Array.isArray(card.content) && card.content.length > 0) {
        out.push({ card, path: cardPath, stack });
      } else {
        ctx.problems.push({ path: `${cardPath}.content_id`, message: `content_id ${id} names no transaction of the project` });
      }
      continue;
    }
    if (stack.includes(id)) {
      const cycle = [...stack.slice(stack.indexOf(id)), id].join(' -> ');
      ctx.problems.push({ path: `${cardPath}.content_id`, message: `transaction reference cycle: ${cycle}` });
      continue;
    }
    out.push(...expandCards(transaction.contents, `${cardPath}.transaction[${id}].contents`, ctx, [...stack, id]));
  }
  return out;
}
