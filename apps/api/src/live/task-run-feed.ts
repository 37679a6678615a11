/**
 * The one reader of a followed task run, shared by all its viewers: every LIVE_POLL_MS it reads the
 * state of the task run's case runs and the interval rows written since (one statement each, for
 * every case run at once), emits the seconds that are ready as events into the timeline, and hands
 * the new events to the viewers (serialized once, written to each). A second is emitted for every
 * case run together (in position order) once each case run that runs at it is ready
 * (case-run-track.ts). On its first read it catches up with the rows already stored, window by
 * window, so that it also follows a run after an API restart or one that has ended.
 */
import type { ServerResponse } from 'node:http';
import { ENDED_RUN_STATUSES, RunStatus } from '@perftest/model';
import type { Queryable } from '@perftest/store';
import { intervalKeysBefore, intervalRowsAt } from '../storage/reports.js';
import { liveRowCount, liveRows, liveTaskRunState } from '../storage/live.js';
import { CaseRunTrack } from './case-run-track.js';
import { Timeline, type TimelineItem } from './timeline.js';
import {
  LIVE_CARDS_SECONDS,
  LIVE_HEARTBEAT_MS,
  LIVE_HISTORY_SECONDS,
  LIVE_LATE_SECONDS,
  LIVE_PAGE_ROWS,
  LIVE_POLL_MS,
} from './timing.js';
import { Viewer } from './viewer.js';

/** Where a reconnecting viewer resumes: after event `second:caseRunId`, or after all of `second`. */
export interface ResumePoint {
  second: number;
  caseRunId?: number;
}

/** Logs a failure of the reader. */
export type LiveLog = (message: string, fields: Record<string, unknown>) => void;

const ENDED: ReadonlySet<number> = new Set(ENDED_RUN_STATUSES);
/** `order` of the events that follow every interval of their second (status, end). */
const AFTER_INTERVALS = Number.MAX_SAFE_INTEGER;
/** Most text written to a replaying viewer in one go. */
const REPLAY_CHUNK = 256 * 1024;

/** Process-wide counts of the readers' work (tests and benchmarks read them). */
export const liveStats = { polls: 0, rowReads: 0, rowsRead: 0, streams: 0, feeds: 0 };

/** The shared reader of one task run. */
export class TaskRunFeed {
  readonly timeline = new Timeline();
  readonly viewers = new Set<Viewer>();
  /** The task run has ended and every event is in the timeline (the `end` event last). */
  ended = false;
  private readonly tracks: CaseRunTrack[] = [];
  private readonly byId = new Map<number, CaseRunTrack>();
  /** Every second up to this one is emitted (undefined before the first). */
  private through: number | undefined;
  private taskStatus: number = RunStatus.Waiting;
  private taskReason: string | null = null;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly db: Queryable,
    readonly taskRunId: number,
    private readonly log: LiveLog,
  ) {}

  /** Reads once (catching up with what is stored), then keeps polling; resolves after the first read. */
  async start(): Promise<void> {
    await this.poll();
    this.schedule();
  }

  /** Whether it was stopped (its task run was deleted, or the hub dropped it). */
  get isStopped(): boolean {
    return this.stopped;
  }

  /** Stops polling and ends every viewer's response. */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    for (const viewer of this.viewers) viewer.end();
    this.viewers.clear();
  }

  /** Connects a viewer: replay from `resume` (or the whole history), then the current statuses, then live. */
  attach(res: ServerResponse, resume: ResumePoint | undefined): Viewer {
    const order = resume?.caseRunId === undefined ? undefined : this.byId.get(resume.caseRunId)?.order;
    const cursor = resume === undefined ? this.timeline.first : this.timeline.resumeAfter(resume.second, order);
    const snapshot = this.tracks.map((t) => t.statusText ?? '').join('');
    const created = new Viewer(res, cursor, this.timeline.end, snapshot);
    this.viewers.add(created);
    this.pump(created);
    return created;
  }

  /** Disconnects a viewer. */
  detach(viewer: Viewer): void {
    this.viewers.delete(viewer);
    viewer.end();
  }

  private schedule(): void {
    if (this.stopped || this.ended) return;
    this.timer = setTimeout(() => {
      this.poll()
        .catch((error: unknown) => this.log('live stream read failed; retrying', { taskRunId: this.taskRunId, error: String(error) }))
        .finally(() => this.schedule());
    }, LIVE_POLL_MS);
  }

  private async poll(): Promise<void> {
    liveStats.polls++;
    const from = this.timeline.end;
    const state = await liveTaskRunState(this.db, this.taskRunId);
    if (this.stopped) return;
    if (state === undefined) {
      // the task run was deleted: nothing more will come
      this.stop();
      return;
    }
    this.taskStatus = state.status;
    this.taskReason = state.reason;
    state.case_runs.forEach((run, position) => {
      const track = this.byId.get(run.id);
      if (track !== undefined) return track.update(run);
      const created = new CaseRunTrack(run, position);
      this.tracks.push(created);
      this.byId.set(run.id, created);
    });
    await this.readRows();
    for (const track of this.tracks) {
      if (track.ended && !track.reconciled) await this.reconcile(track);
    }
    this.advance(Date.now(), Number.MAX_SAFE_INTEGER);
    this.sendStatuses();
    if (ENDED.has(this.taskStatus) && this.tracks.every((t) => t.done)) this.finish();
    if (this.through !== undefined) this.timeline.age(this.through);
    this.flush(from);
  }

  /** Reads the rows written since the last read (all stored rows the first time, window by window). */
  private async readRows(): Promise<void> {
    const active = this.tracks.filter((t) => !t.done && t.lastSecond !== null && t.firstSecond !== null);
    if (active.length === 0) return;
    const last = Math.max(...active.map((t) => t.lastSecond as number));
    const shares = active.reduce((sum, t) => sum + Math.max(1, t.shareCount), 0);
    const window = Math.max(1, Math.floor(LIVE_PAGE_ROWS / shares));
    let readFrom = this.through === undefined ? Number.NEGATIVE_INFINITY : this.through + 1 - LIVE_LATE_SECONDS;
    for (;;) {
      const from = new Map<number, number>();
      for (const t of active) from.set(t.id, Math.max(readFrom, t.firstSecond as number));
      const low = Math.min(...from.values());
      const to = low + window - 1 >= last ? Number.MAX_SAFE_INTEGER : low + window - 1;
      const rows = await liveRows(this.db, from, to);
      liveStats.rowReads++;
      liveStats.rowsRead += rows.length;
      for (const row of rows) this.byId.get(row.case_run_id)?.add(row, this.through);
      if (to === Number.MAX_SAFE_INTEGER) return;
      this.advance(Date.now(), to);
      readFrom = to + 1;
    }
  }

  /** Once a case run has ended its rows are final: reads any that landed too late for the regular reads. */
  private async reconcile(track: CaseRunTrack): Promise<void> {
    const stored = await liveRowCount(this.db, track.id);
    if (stored > track.known) {
      const seconds = new Set<number>();
      for (const key of await intervalKeysBefore(this.db, track.id, Number.MAX_SAFE_INTEGER)) {
        if (!track.holds(key)) seconds.add(Number(key.second));
      }
      for (const row of await intervalRowsAt(this.db, track.id, [...seconds])) track.add({ ...row, second: Number(row.second) }, this.through);
    }
    track.reconciled = true;
  }

  /** Emits every second that is ready, up to `limit` (the rows past it are not read yet). */
  private advance(nowMs: number, limit: number): void {
    if (this.through === undefined) {
      const starts = this.tracks.filter((t) => !t.done && t.startSecond !== undefined).map((t) => Math.min(t.startSecond as number, t.firstPending() ?? Infinity));
      if (starts.length === 0) return;
      this.through = Math.min(...starts) - 1;
    }
    for (;;) {
      const n: number = this.through + 1;
      if (n > limit) return;
      let wait = false;
      let ready = false;
      const roles = this.tracks.map((t) => {
        const role = t.role(n, nowMs);
        if (role === 'wait') wait = true;
        else if (role === 'ready') ready = true;
        return role;
      });
      if (wait) return;
      if (!ready) {
        // nothing runs at n: jump to the next second something starts at, if any
        let next = Infinity;
        for (const t of this.tracks) {
          if (t.done || t.startSecond === undefined) continue;
          const at = Math.min(t.startSecond, t.firstPending() ?? Infinity);
          if (at > n && at < next) next = at;
        }
        if (!Number.isFinite(next)) return;
        this.through = Math.min(next - 1, limit);
        continue;
      }
      this.tracks.forEach((t, i) => {
        if (roles[i] === 'ready') this.emit(t, n);
      });
      this.through = n;
    }
  }

  /** Emits second `n` of a case run into the timeline (only folds it when too old to be kept). */
  private emit(track: CaseRunTrack, n: number): void {
    const latest = track.lastSecond ?? n;
    const frame = track.emit(n, n >= latest - LIVE_HISTORY_SECONDS);
    if (frame === undefined) return;
    const head = `event: interval\nid: ${n}:${track.id}\ndata: `;
    const body = JSON.stringify(frame);
    const item: TimelineItem = { kind: 'interval', second: n, order: track.order, text: `${head}${body}\n\n` };
    if (n >= latest - LIVE_CARDS_SECONDS) {
      item.stripped = item.text;
      item.text = `${head}${body.slice(0, -1)},"cards":${JSON.stringify(track.liveCards())}}\n\n`;
    }
    this.timeline.push(item);
  }

  /** Sends the status of each case run that changed (an ended one once all its seconds are out, with its final cards). */
  private sendStatuses(): void {
    for (const track of this.tracks) {
      if (track.ended && !track.done) continue;
      if (track.sentStatus === track.status) continue;
      track.sentStatus = track.status;
      const data = {
        case_run_id: track.id,
        case_id: track.caseId,
        name: track.name,
        status: track.status,
        reason: track.reason,
        ...(track.done ? { cards: track.liveCards() } : {}),
      };
      track.statusText = `event: status\ndata: ${JSON.stringify(data)}\n\n`;
      this.timeline.push({ kind: 'status', second: this.through ?? 0, order: AFTER_INTERVALS, text: track.statusText });
    }
  }

  /** The task run has ended and every case run is out: the last event. */
  private finish(): void {
    const data = { task_run_id: this.taskRunId, status: this.taskStatus, reason: this.taskReason };
    this.timeline.push({ kind: 'end', second: this.through ?? 0, order: AFTER_INTERVALS, text: `event: end\ndata: ${JSON.stringify(data)}\n\n` });
    this.ended = true;
  }

  /** Hands the events from sequence number `from` on to the viewers. */
  private flush(from: number): void {
    const end = this.timeline.end;
    const now = Date.now();
    let chunk: string | undefined;
    for (const viewer of this.viewers) {
      if (viewer.stalled(now)) {
        viewer.res.destroy();
        this.detach(viewer);
        continue;
      }
      if (end > from && viewer.cursor === from && viewer.snapshot === undefined && viewer.blockedSince === undefined) {
        chunk ??= this.text(from, end);
        viewer.cursor = end;
        if (!viewer.write(chunk)) this.awaitDrain(viewer);
        else if (this.ended) viewer.end();
      } else if (viewer.cursor < end || viewer.snapshot !== undefined) {
        this.pump(viewer);
      } else if (now - viewer.lastWrite >= LIVE_HEARTBEAT_MS && viewer.blockedSince === undefined) {
        viewer.write(': keep-alive\n\n');
      }
    }
  }

  /** The events from `from` to `end` as one text. */
  private text(from: number, end: number): string {
    let text = '';
    for (let seq = from; seq < end; seq++) text += (this.timeline.at(seq) as TimelineItem).text;
    return text;
  }

  /** Writes what a viewer has not got yet, a chunk at a time, waiting for `drain` when its buffer is full. */
  private pump(viewer: Viewer): void {
    if (viewer.closed || viewer.blockedSince !== undefined) return;
    const timeline = this.timeline;
    if (viewer.cursor < timeline.first) viewer.cursor = timeline.first;
    let text = '';
    while (viewer.cursor < timeline.end && text.length < REPLAY_CHUNK) {
      const item = timeline.at(viewer.cursor) as TimelineItem;
      if ((viewer.cursor >= viewer.liveFrom || item.kind === 'end') && viewer.snapshot !== undefined) {
        text += viewer.snapshot;
        viewer.snapshot = undefined;
      }
      // statuses replayed from before the connection are stale: the snapshot holds the current ones
      if (item.kind !== 'status' || viewer.cursor >= viewer.liveFrom) text += item.text;
      viewer.cursor++;
    }
    if (viewer.cursor >= viewer.liveFrom && viewer.snapshot !== undefined) {
      text += viewer.snapshot;
      viewer.snapshot = undefined;
    }
    if (text !== '' && !viewer.write(text)) return this.awaitDrain(viewer);
    if (viewer.cursor < timeline.end) setImmediate(() => this.pump(viewer));
    else if (this.ended) viewer.end();
  }

  private awaitDrain(viewer: Viewer): void {
    viewer.res.once('drain', () => {
      viewer.blockedSince = undefined;
      this.pump(viewer);
    });
  }
}
