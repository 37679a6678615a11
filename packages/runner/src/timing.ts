/**
 * The clocks of run coordination. Every process with a runner uses the same values, so that a run
 * progresses the same way whichever of them is alive.
 */

/** How often a worker refreshes its heartbeat (ms). */
export const HEARTBEAT_MS = 1_000;
/** A worker whose heartbeat is older than this is dead: its shares go to live workers (ms). */
export const DEAD_AFTER_MS = 10_000;
/** How long a ready case run waits for a live worker before the run ends in 3 (ms). */
export const NO_WORKER_WAIT_MS = 10_000;
/** How far after dispatch stage 0 starts, so that every worker starts on the same instant (ms). */
export const START_LEAD_MS = 300;
/**
 * The lead when a live worker runs shares on several engine threads and its warm threads may not
 * suffice (it runs a share already, or the pass dispatches several case runs at once): extra piscina
 * threads load the engine first (0.3-1.5 s measured, more on a loaded machine); starts due before a
 * thread is up are skipped, not bursted, so the lead covers the start-up (ms).
 */
export const THREADED_START_LEAD_MS = 1_000;
/**
 * The lead when every live worker with several engine threads is idle and gets one share: its warm
 * pool (engine loaded at worker start) has the threads up within milliseconds of the claim (ms).
 */
export const WARM_THREADED_START_LEAD_MS = 400;
/** How often each runner process reconciles the runs (ms); NOTIFY makes it sooner. */
export const RECONCILE_EVERY_MS = 250;
/**
 * The least time between the end of one reconcile pass (or claim) of a process and the start of the
 * next one that a notification or a poke asks for (ms): a storm of starts, each notifying, is then
 * reconciled in a few passes instead of one per start, which on PGlite (one connection) held every
 * request of the API behind them (docs/run-lifecycle.md, "Queue and capacity").
 */
export const MIN_PASS_GAP_MS = 50;
/** How often a worker looks for shares to claim and for stops and targets of its shares (ms). */
export const POLL_MS = 150;
/** How often a worker reads the intervals of an intelligent high pressure run split over workers (ms). */
export const STEP_POLL_MS = 250;
/**
 * How long the interval writer gathers rows before one insert (ms). Every share's engine emits its
 * second 1 ms after the second ends, so the rows of all shares of a worker land in one insert, and a
 * worker killed (kill -9) loses at most the second in progress and this delay after it
 * (docs/run-lifecycle.md, "Shares"); 200 ms lost a whole completed second about one kill in five.
 */
export const INTERVAL_FLUSH_MS = 20;
