/**
 * A debug run (reference 4.3.4): the case compiled as for a real run, then one virtual user runs
 * `setup_contents` once and `contents` once, with debug sessions (responses kept, streaming sessions
 * cut to 3 s by the engine). Every request result is collected in order, retries included. Nothing
 * is recorded in statistics. Rendezvous points and throughput caps do not wait (the user is alone);
 * shared cursors start at 0. The whole run is bounded by `timeoutMs`: past it the user is aborted
 * and the results so far are returned.
 */
import { compileCase, DEFAULT_ENGINE_OPTIONS, type CaseProblem, type Coordination, type Recorder, type RequestResult, type TargetPolicy } from '@perftest/engine';
import type { CardInfo } from '@perftest/model';
import type { DebugInput } from '../storage/reports.js';

/** Longest a debug run may take before it is cut short (ms). */
export const DEBUG_TIMEOUT_MS = 60_000;
/** Response bodies kept per request for debug output (bytes). */
export const DEBUG_BODY_LIMIT = 64 * 1024;

/** One request of a debug run, with the card it belongs to. */
export interface DebugRequest {
  card: CardInfo;
  result: RequestResult;
}

/** What a debug run produced. */
export type DebugOutcome =
  | { ok: true; requests: DebugRequest[]; timedOut: boolean }
  | { ok: false; problems: CaseProblem[] };

/** Coordination for a lone user: nobody to wait for, cursors from 0. */
class SoloCoordination implements Coordination {
  private readonly cursors = new Map<string, number>();

  rendezvous(): Promise<void> {
    return Promise.resolve();
  }

  throttle(): Promise<void> {
    return Promise.resolve();
  }

  next(key: string): number {
    const value = this.cursors.get(key) ?? 0;
    this.cursors.set(key, value + 1);
    return value;
  }
}

/** A debug run records no statistics. */
const NO_RECORDING: Recorder = {
  request() {},
  iteration() {},
};

/** Runs `input` once with one user (see the file comment). */
export async function runDebug(
  input: DebugInput,
  timeoutMs = DEBUG_TIMEOUT_MS,
  targetPolicy: TargetPolicy = DEFAULT_ENGINE_OPTIONS.targetPolicy,
): Promise<DebugOutcome> {
  const compiled = compileCase({
    case: input.case,
    variables: input.variables,
    transactions: input.transactions,
    options: { debugBodyLimit: DEBUG_BODY_LIMIT, targetPolicy },
  });
  if (!compiled.ok) return { ok: false, problems: compiled.problems };
  const { compiled: kase } = compiled;
  const cards = new Map<string, CardInfo>();
  for (const card of [...(kase.setupCards ?? []), ...kase.cards]) cards.set(card.key, card);
  const requests: DebugRequest[] = [];
  const abort = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    abort.abort();
  }, timeoutMs);
  const user = kase.createUser({
    session: { state: new Map(), userIndex: 0, signal: abort.signal, keepResponse: false, debug: true },
    recorder: NO_RECORDING,
    coordination: new SoloCoordination(),
    onDebug: (cardKey, result) => {
      const card = cards.get(cardKey) ?? { key: cardKey, name: cardKey, method: '', url: '', protocolType: 0 };
      requests.push({ card, result });
    },
  });
  try {
    await user.setup();
    if (!abort.signal.aborted) await user.iterate();
  } finally {
    clearTimeout(timer);
    await user.close();
    await kase.close();
  }
  return { ok: true, requests, timedOut };
}
