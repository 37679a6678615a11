/**
 * What the live view keeps of a run's event stream: per case run, one column per measure with one
 * entry per second (in arrival order, a repeated second replaced), its latest card table and status.
 * Events follow the live endpoint's documented shape (docs/api.md, live).
 */

/** One `interval` event. */
export interface LiveInterval {
  case_run_id: number;
  second: number;
  users: number;
  started?: number;
  dropped?: number;
  /** The case run's dropped starts so far (a viewer joining late still sees them all). */
  dropped_total?: number;
  stage?: number;
  rps: number;
  tps: number;
  rt: { avg: number; p50: number; p90: number; p99: number; max: number };
  errors: Record<string, number>;
  codes: Record<string, number>;
  sent_bytes: number;
  rec_bytes: number;
  cards: LiveCard[];
}

/** One row of the per-card table (cumulative since the case run began). */
export interface LiveCard {
  key: string;
  name: string;
  count: number;
  tps: number;
  avg: number;
  p90: number;
  p99: number;
  errors: number;
}

/** Measures kept per second. */
export const LIVE_COLUMNS = ['tps', 'rps', 'avg', 'p50', 'p90', 'p99', 'max', 'users', 'dropped', 'sent', 'rec',
  'checkPointFailed', 'parsedFailed', 'refusedFailed', 'timeout', 'othersFailed', '1xx', '2xx', '3xx', '4xx', '5xx'] as const;
export type LiveColumn = (typeof LIVE_COLUMNS)[number];

/** One case run's live data. */
export class CaseRunLive {
  x: number[] = [];
  cols = Object.fromEntries(LIVE_COLUMNS.map((c) => [c, [] as number[]])) as Record<LiveColumn, number[]>;
  cards: LiveCard[] = [];
  status: number | undefined;
  reason: string | undefined;
  /** The case's name, from its status events. */
  name: string | undefined;
  lastSecond = 0;
  total = 0;
  /** Dropped starts since the case run began. */
  droppedTotal = 0;

  constructor(readonly caseRunId: number) {}

  add(e: LiveInterval): void {
    const values: Record<LiveColumn, number> = {
      tps: e.tps, rps: e.rps, avg: e.rt?.avg ?? 0, p50: e.rt?.p50 ?? 0, p90: e.rt?.p90 ?? 0, p99: e.rt?.p99 ?? 0, max: e.rt?.max ?? 0,
      users: e.users, dropped: e.dropped ?? 0, sent: e.sent_bytes ?? 0, rec: e.rec_bytes ?? 0,
      checkPointFailed: e.errors?.checkPointFailed ?? 0, parsedFailed: e.errors?.parsedFailed ?? 0, refusedFailed: e.errors?.refusedFailed ?? 0,
      timeout: e.errors?.timeout ?? 0, othersFailed: e.errors?.othersFailed ?? 0,
      '1xx': e.codes?.['1xx'] ?? 0, '2xx': e.codes?.['2xx'] ?? 0, '3xx': e.codes?.['3xx'] ?? 0, '4xx': e.codes?.['4xx'] ?? 0, '5xx': e.codes?.['5xx'] ?? 0,
    };
    let at = this.x.length;
    if (at > 0 && this.x[at - 1] >= e.second) {
      at = this.x.lastIndexOf(e.second);
      if (at < 0) return; // older than what is shown, and not a repeat: ignore
    } else {
      this.x.push(e.second);
    }
    for (const c of LIVE_COLUMNS) this.cols[c][at] = values[c];
    this.cards = e.cards ?? this.cards;
    this.total = this.cards.reduce((n, c) => n + c.count, 0);
    this.droppedTotal = e.dropped_total ?? this.droppedTotal + (e.dropped ?? 0);
    this.lastSecond = Math.max(this.lastSecond, e.second);
  }
}

/** A task run's live data: its case runs by id, in first-seen order. */
export class RunLive {
  runs = new Map<number, CaseRunLive>();
  ended = false;
  /** Epoch ms when the newest interval arrived, and how far behind the clock its second was. */
  lagMs = 0;

  caseRun(id: number): CaseRunLive {
    let r = this.runs.get(id);
    if (!r) {
      r = new CaseRunLive(id);
      this.runs.set(id, r);
    }
    return r;
  }

  interval(e: LiveInterval): void {
    this.caseRun(e.case_run_id).add(e);
    // The second [s, s+1) is complete at s+1: how long after that it reached the page.
    this.lagMs = Math.max(0, Date.now() - (e.second + 1) * 1000);
    ((window as any).__liveLags ??= []).push(this.lagMs);
  }

  status(e: { case_run_id: number; status: number; reason?: string | null; name?: string }): void {
    const r = this.caseRun(e.case_run_id);
    r.status = e.status;
    r.reason = e.reason ?? undefined;
    if (e.name) r.name = e.name;
  }
}
