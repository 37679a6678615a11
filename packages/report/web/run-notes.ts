/**
 * What a report must say beside its figures, from the outline's extra keys: why a case run ended in
 * 3, the interruptions (a worker lost, from when to when, resumed or not, and the seconds taken out
 * of the duration), the starts dropped because every user was busy, and the requests aborted at a
 * stop or at the plan's end. Without these a stall or a lost worker would read as a quiet run.
 */
import type { ReportOutline } from '../src/report-types.js';
import { fmt } from './model.js';

/** One note: its text and how it reads (bad: the run failed; warn: the figures miss something). */
export interface RunNote {
  kind: 'reason' | 'interruption' | 'dropped' | 'aborted';
  tone: 'bad' | 'warn';
  text: string;
}

/** `YYYY-MM-DD HH:mm:ss` of an ISO-8601 time (UTC, as the report's timestamps). */
const clock = (iso: string): string => (Number.isFinite(Date.parse(iso)) ? new Date(iso).toISOString().slice(0, 19).replace('T', ' ') : iso);

/** The notes of a report's outline, most serious first; none for a run that ended with all its load. */
export function runNotes(o: ReportOutline): RunNote[] {
  const notes: RunNote[] = [];
  if (o.reason) notes.push({ kind: 'reason', tone: 'bad', text: `Ended in error: ${o.reason}` });
  for (const i of o.interruptions ?? []) {
    const share = i.shareCount > 1 ? ` (share ${i.share + 1} of ${i.shareCount})` : '';
    const then = i.resumed ? 'resumed by another worker' : 'not resumed';
    notes.push({ kind: 'interruption', tone: i.resumed ? 'warn' : 'bad', text: `Interrupted${share} from ${clock(i.from)} to ${clock(i.to)} (${fmt(i.seconds)} s): ${i.reason}; ${then}` });
  }
  if (o.interruptions?.length && (o.interruptedSeconds ?? 0) > 0) {
    notes.push({ kind: 'interruption', tone: 'warn', text: `${fmt(o.interruptedSeconds)} s down are not counted in the duration` });
  }
  if ((o.droppedStarts ?? 0) > 0) {
    notes.push({
      kind: 'dropped',
      tone: 'warn',
      text: `${fmt(o.droppedStarts)} starts dropped (at most ${fmt(o.droppedStartsMaxPerSecond ?? 0)} in a second): every user was busy, so the TPS asked was not sent`,
    });
  }
  if ((o.abortedRequests ?? 0) > 0) {
    notes.push({ kind: 'aborted', tone: 'warn', text: `${fmt(o.abortedRequests)} requests still in flight at the end were aborted after the grace: they are not in the counts above` });
  }
  return notes;
}
