/** Run statuses (`run_status`, `temp_running_status`) as words and badges. */

const NAMES: Record<number, string> = { 0: 'running', 1: 'paused', 2: 'ended', 3: 'aborted', 4: 'stopped', 5: 'stopping', 9: 'waiting' };

/** Whether a run in `status` may still produce data. */
export const isActive = (status: number): boolean => status === 0 || status === 1 || status === 5 || status === 9;

/** The badge of a status. */
export function StatusBadge(props: { status: number; testId?: string }) {
  const name = NAMES[props.status] ?? `status ${props.status}`;
  const tone = isActive(props.status) ? 'running' : props.status === 3 ? 'failed' : '';
  return <span class={`badge ${tone}`} data-testid={props.testId} data-status={props.status}>{name}</span>;
}
