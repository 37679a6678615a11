/** The path above a page's title: test suites / the suite / the task, by name. */
import { api } from '../api/endpoints.js';
import { useTreeVersion } from './tree.js';
import { useLoad } from './use-load.js';

/** Crumbs down to `suite` and, when given, `task`. */
export function Crumbs(props: { suite: number; task?: { id: number; name: string | undefined } }) {
  const version = useTreeVersion();
  const suites = useLoad(() => api.suites(), [version]);
  const name = suites.data?.find((s) => s.id === props.suite)?.name ?? `suite ${props.suite}`;
  return (
    <div class="crumbs">
      <a href="/">Test suites</a> / <a href={`/suites/${props.suite}`}>{name}</a>
      {props.task && <> / <a href={`/suites/${props.suite}/tasks/${props.task.id}`}>{props.task.name ?? `task ${props.task.id}`}</a></>}
    </div>
  );
}
