/**
 * The followed task runs of one server: one TaskRunFeed per task run with viewers, created by the
 * first viewer, kept LIVE_LINGER_MS after the last one leaves (a reconnect finds it warm), then
 * dropped with everything it held. Closing the hub ends every stream.
 */
import type { ServerResponse } from 'node:http';
import { apiError } from '@perftest/model';
import type { Queryable } from '@perftest/store';
import { liveStats, TaskRunFeed, type LiveLog, type ResumePoint } from './task-run-feed.js';
import { LIVE_LINGER_MS, LIVE_MAX_STREAMS } from './timing.js';

interface Entry {
  feed: TaskRunFeed;
  started: Promise<void>;
  linger: NodeJS.Timeout | undefined;
}

/** Every followed task run of a server. */
export class LiveHub {
  private readonly entries = new Map<number, Entry>();
  private streams = 0;
  private closed = false;

  constructor(
    private readonly db: Queryable,
    private readonly log: LiveLog,
  ) {}

  /** Streams being served. */
  get streamCount(): number {
    return this.streams;
  }

  /** Task runs being followed. */
  get feedCount(): number {
    return this.entries.size;
  }

  /**
   * The feed of `taskRunId`, read at least once: a 503 when the server serves LIVE_MAX_STREAMS
   * streams already, is closing, or cannot read the run.
   */
  async feed(taskRunId: number): Promise<TaskRunFeed> {
    if (this.closed) throw apiError('UNAVAILABLE', { detail: 'the server is shutting down' });
    if (this.streams >= LIVE_MAX_STREAMS) throw apiError('UNAVAILABLE', { detail: `the server serves ${LIVE_MAX_STREAMS} live streams already; retry later` });
    let entry = this.entries.get(taskRunId);
    if (entry !== undefined && entry.feed.isStopped) {
      this.drop(taskRunId, entry); // its task run was deleted: read it afresh (the route has checked it exists)
      entry = undefined;
    }
    if (entry === undefined) {
      const feed = new TaskRunFeed(this.db, taskRunId, this.log);
      entry = { feed, started: feed.start(), linger: undefined };
      this.entries.set(taskRunId, entry);
      liveStats.feeds++;
      this.lingerIfIdle(taskRunId, entry); // dropped unless a viewer attaches
    }
    try {
      await entry.started;
    } catch (error) {
      if (this.entries.get(taskRunId) === entry) this.drop(taskRunId, entry);
      this.log('live stream could not read its task run', { taskRunId, error: String(error) });
      throw apiError('UNAVAILABLE', { detail: `task run ${taskRunId} cannot be read now; retry later` });
    }
    return entry.feed;
  }

  /** Serves `res` from `feed` until the client leaves, the run ends or the hub closes. */
  attach(feed: TaskRunFeed, res: ServerResponse, resume: ResumePoint | undefined): void {
    const entry = this.entries.get(feed.taskRunId);
    if (entry === undefined || entry.feed !== feed || this.closed) {
      res.end();
      return;
    }
    clearTimeout(entry.linger);
    entry.linger = undefined;
    this.streams++;
    liveStats.streams++;
    const viewer = feed.attach(res, resume);
    res.once('close', () => {
      this.streams--;
      liveStats.streams--;
      feed.detach(viewer);
      this.lingerIfIdle(feed.taskRunId, entry);
    });
  }

  /** Ends every stream and stops every reader. */
  close(): void {
    this.closed = true;
    for (const [taskRunId, entry] of this.entries) this.drop(taskRunId, entry);
  }

  private lingerIfIdle(taskRunId: number, entry: Entry): void {
    if (entry.feed.viewers.size > 0 || this.entries.get(taskRunId) !== entry) return;
    clearTimeout(entry.linger);
    entry.linger = setTimeout(() => {
      if (entry.feed.viewers.size === 0) this.drop(taskRunId, entry);
    }, LIVE_LINGER_MS);
    entry.linger.unref();
  }

  private drop(taskRunId: number, entry: Entry): void {
    clearTimeout(entry.linger);
    this.entries.delete(taskRunId);
    liveStats.feeds--;
    entry.feed.stop();
  }
}
