/**
 * The tree: test suites; under the open suite its tasks (the open task with its cases), then its
 * case library as the cloud console shows it, directories with the cases they hold, then the cases
 * at the root (app/case-tree.ts).
 */
import { useMemo } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { api } from '../api/endpoints.js';
import { caseTree, type CaseLeaf, type DirectoryNode } from './case-tree.js';
import { useTreeVersion } from './tree.js';
import { useLoad } from './use-load.js';

function Tasks(props: { suite: number; openTask: number | undefined; openCase: number | undefined; path: string }) {
  const version = useTreeVersion();
  const tasks = useLoad(() => api.tasks(props.suite), [props.suite, version]);
  return (
    <ul class="tree" data-testid="tree-tasks">
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

function LibraryCase(props: { suite: number; kase: CaseLeaf; path: string }) {
  const href = `/suites/${props.suite}/cases/${props.kase.id}`;
  return (
    <li data-testid={`tree-case-${props.kase.id}`}>
      <a href={href} class={props.path === href ? 'active' : ''}><span class="kind">C</span>{props.kase.name}</a>
    </li>
  );
}

function Directory(props: { suite: number; dir: DirectoryNode; path: string }) {
  return (
    <li data-testid={`tree-dir-${props.dir.id}`}>
      <span class="tree-dir"><span class="kind">D</span>{props.dir.name}</span>
      {(props.dir.directories.length > 0 || props.dir.cases.length > 0) && (
        <ul class="tree">
          {props.dir.directories.map((d) => <Directory suite={props.suite} dir={d} path={props.path} />)}
          {props.dir.cases.map((c) => <LibraryCase suite={props.suite} kase={c} path={props.path} />)}
        </ul>
      )}
    </li>
  );
}

/** The suite's case library: directories with their cases, then the cases at the root. */
function Library(props: { suite: number; path: string }) {
  const version = useTreeVersion();
  const entries = useLoad(() => api.directory(props.suite), [props.suite, version]);
  const tree = useMemo(() => caseTree(entries.data ?? []), [entries.data]);
  if (tree.directories.length === 0 && tree.cases.length === 0) return null;
  return (
    <ul class="tree" data-testid="tree-library">
      <li class="tree-group">cases</li>
      {tree.directories.map((d) => <Directory suite={props.suite} dir={d} path={props.path} />)}
      {tree.cases.map((c) => <LibraryCase suite={props.suite} kase={c} path={props.path} />)}
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
              {openSuite === s.id && <Library suite={s.id} path={path} />}
            </li>
          );
        })}
      </ul>
      {suites.data?.length === 0 && <p class="muted small" style="padding: 0 8px">No test suite yet.</p>}
    </nav>
  );
}
