/**
 * The live stream's timing and limits (docs/live.md states each). A second of a case run is emitted
 * once every active share has written it, or LIVE_GRACE_MS after it ended: with rows landing a few
 * tens of milliseconds after their second (packages/runner INTERVAL_FLUSH_MS) and a poll every LIVE_POLL_MS, the
 * latest second a viewer has is at most LIVE_GRACE_MS + LIVE_POLL_MS + 1 s old.
 */

/** How often a followed task run is read while it has viewers (ms). */
export const LIVE_POLL_MS = 250;
/** How long after a second ends it is emitted without the shares that have not written it (ms). */
export const LIVE_GRACE_MS = 700;
/** Seconds before the latest emitted one whose rows are read again, to fold rows that landed late. */
export const LIVE_LATE_SECONDS = 3;
/** Seconds of events kept for replay (a viewer without Last-Event-ID gets them; older ones are gone). */
export const LIVE_HISTORY_SECONDS = 3600;
/** Seconds of replayed events that keep their `cards` (older ones are replayed without). */
export const LIVE_CARDS_SECONDS = 60;
/** Rows read per query while catching up with a case run's past (a window of seconds holds about this many). */
export const LIVE_PAGE_ROWS = 2000;
/** How long a task run stays followed after its last viewer left (a reconnect finds it warm) (ms). */
export const LIVE_LINGER_MS = 10_000;
/** A comment line is sent to a viewer that got nothing for this long, so that proxies keep the stream (ms). */
export const LIVE_HEARTBEAT_MS = 15_000;
/** A viewer whose socket buffer has not drained for this long is disconnected (it may resume) (ms). */
export const LIVE_STALL_MS = 30_000;
/** Streams one server serves at once; more are refused with a 503. */
export const LIVE_MAX_STREAMS = 1000;
/** What the stream asks a client to wait before reconnecting (ms, the SSE `retry` field). */
export const LIVE_RETRY_MS = 2000;
