/** The runner's logging seam: a function the process supplies (pino through an adapter, or consoleLog). */

/** A receiver of the runner's log lines (pino's methods fit through a small adapter). */
export type RunnerLog = (level: 'debug' | 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void;

/** A log that drops everything. */
export const SILENT_LOG: RunnerLog = () => {};
