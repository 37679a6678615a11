/**
 * Compile problems out of an API error: a start or debug of a case that cannot run answers
 * `the case cannot run: <path>: <message>; <path>: <message> ...` (docs/api.md, Debug); a refused
 * save names its field (`stages[0].pressure_mode must be <= 7`).
 */

/** One problem: where, and what. */
export interface Problem {
  path: string;
  message: string;
}

const PATH = /^((?:[A-Za-z_$][\w$]*|\[\d+\])(?:\.[A-Za-z_$][\w$]*|\[\d+\])*)(?::\s*|\s+)(.*)$/s;

/** The problems an error message lists (empty when it names none). */
export function problemsOf(message: string): Problem[] {
  const marker = 'the case cannot run: ';
  const at = message.indexOf(marker);
  if (at >= 0) {
    let body = message.slice(at + marker.length);
    body = body.replace(/\s*\(the attempt is recorded as task_run_id \d+, run_status 3\)\s*$/, '');
    return body.split(/;\s+(?=[A-Za-z_$[])/).map((part) => {
      const m = /^([^\s:]+):\s*(.*)$/s.exec(part.trim());
      return m ? { path: m[1], message: m[2] } : { path: '', message: part.trim() };
    });
  }
  const m = PATH.exec(message.trim());
  if (m && /[.[]/.test(m[1])) return [{ path: m[1], message: m[2] }];
  return [];
}
