/** The directory tree: test suites, the open suite's tasks, the open task's cases. */
import { useLocation } from 'preact-iso';
import { api } from '../api/endpoints.js';
import { useTreeVersion } from './tree.js';
import { useLoad } from './use-load.js';

function Tasks(props: { suite: number; openTask: number | undefined; openCase: number | undefined; path: string }) {
  const version = useTreeVersion();
  const tasks = useLoad(() => api.tasks(props.suite), [props.suite, version]);
  return (
    <ul class="tree">
      {(tasks.data ?? []).map((t) => {
        const href = `/suites/${props.suite}/tasks/${t.id}`;
        return (
          <li>
            <a href={href} class={props.path === href ? 'active' : ''}><span class="kind">T</span>{t.name}</a>
            {props.openTask === t.id && <Cases suite={props.suite} task={t.id} openCase={props.openCase} path={props.path} />}
          </li>
        );
      })}
    </ul>
  );
}

function Cases(props: { suite: number; task: number; openCase: number | undefined; path: string }) {
  const version = useTreeVersion();
  const task = useLoad(() => api.task(props.task), [props.task, version]);
  return (
    <ul class="tree">
      {(task.data?.case_list ?? []).map((c) => {
        const href = `/suites/${props.suite}/tasks/${props.task}/cases/${c.case_id}`;
        return (
          <li>
            <a href={href} class={props.path === href ? 'active' : ''}><span class="kind">C</span>{c.name}</a>
          </li>
        );
      })}
    </ul>
  );
}

/** The sidebar. */
export function Sidebar() {
  const { path } = useLocation();
  const version = useTreeVersion();
  const suites = useLoad(() => api.suites(), [version]);
  const m = /^\/suites\/(\d+)(?:\/tasks\/(\d+)(?:\/cases\/(\d+))?)?/.exec(path);
  const openSuite = m ? Number(m[1]) : undefined;
  const openTask = m?.[2] ? Number(m[2]) : undefined;
  const openCase = m?.[3] ? Number(m[3]) : undefined;
  return (
    <nav class="sidebar" data-testid="tree">
      <div class="sidebar-head">
        <a href="/" style="color: inherit">Test suites</a>
      </div>
      {suites.error && <div class="bad small">{suites.error}</div>}
      <ul class="tree">
        {(suites.data ?? []).map((s) => {
          const href = `/suites/${s.id}`;
          return (
            <li>
              <a href={href} class={path === href ? 'active' : ''}><span class="kind">S</span>{s.name}</a>
              {openSuite === s.id && <Tasks suite={s.id} openTask={openTask} openCase={openCase} path={path} />}
            </li>
          );
        })}
      </ul>
      {suites.data?.length === 0 && <p class="muted small" style="padding: 0 8px">No test suite yet.</p>}
    </nav>
  );
}
