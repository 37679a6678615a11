/**
 * A RunnerLog writing one JSON line per entry (pino's shape: numeric level, time, msg, fields), for
 * processes without a logger of their own: the worker process and the API's embedded runner.
 */
import type { RunnerLog } from './log.js';

const LEVELS = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60, silent: Number.POSITIVE_INFINITY } as const;

/** A level name as LOG_LEVEL spells it. */
export type LogLevelName = keyof typeof LEVELS;

/** Logs entries at `minLevel` and above as JSON lines to `write` (stdout by default). */
export function consoleLog(minLevel: LogLevelName, name: string, write: (line: string) => void = (l) => process.stdout.write(l)): RunnerLog {
  const min = LEVELS[minLevel];
  return (level, message, fields) => {
    const value = LEVELS[level];
    if (value < min) return;
    write(`${JSON.stringify({ level: value, time: Date.now(), pid: process.pid, name, msg: message, ...fields })}\n`);
  };
}
