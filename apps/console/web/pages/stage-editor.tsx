/**
 * The stage editor: one row per stage with the fields its pressure mode reads, and a preview of the
 * load shape that the server's stage plan computes (POST /v1/{p}/load-shape), so what is drawn is
 * what will run.
 */
import { useEffect, useState } from 'preact/hooks';
import { api, type LoadShape, type Stage } from '../api/endpoints.js';
import { COLORS, TimeChart } from '@perftest/report/web';
import { errorText } from '../app/use-load.js';

/** The eight pressure modes, in `pressure_mode` order. */
export const MODES = ['concurrency', 'TPS', 'peak load', 'surge (users)', 'surge (TPS)', 'flapping (users)', 'flapping (TPS)', 'intelligent high pressure'];

type Field = { key: string; label: string; step?: string };
const TIME: Field = { key: 'time', label: 'time s' };
const USERS: Field = { key: 'issue_num', label: 'users' };
const POOL: Field = { key: 'issue_num', label: 'user pool' };
const START_USERS: Field = { key: 'current_user_num', label: 'start users' };
const RAMP: Field = { key: 'ramp_up', label: 'ramp-up s' };
const MIN: Field = { key: 'minimum', label: 'minimum' };
const MAX: Field = { key: 'maximum', label: 'maximum' };
const LOOPS: Field = { key: 'loop_count', label: 'periods' };

/** The fields each mode reads (docs of packages/engine/src/pressure/). */
const FIELDS: Field[][] = [
  [TIME, USERS, START_USERS, RAMP],
  [TIME, POOL, { key: 'tps_value', label: 'TPS', step: 'any' }],
  [TIME, USERS, START_USERS, RAMP],
  [TIME, MIN, MAX, LOOPS, { key: 'max_duration', label: 'surge s' }],
  [TIME, POOL, MIN, MAX, LOOPS, { key: 'max_duration', label: 'surge s' }],
  [TIME, MIN, MAX, LOOPS],
  [TIME, POOL, MIN, MAX, LOOPS],
  [TIME, START_USERS, MAX, { key: 'step_size', label: 'step users' }, { key: 'step_duration', label: 'step s' }],
];

/** A new stage of `mode` with values that run. */
export function defaultStage(mode: number, index: number): Stage {
  const base: Stage = { name: `stage ${index + 1}`, operate_mode: 0, pressure_mode: mode, time: 60, voltage_regulating_mode: 0 };
  switch (mode) {
    case 0: case 2: return { ...base, issue_num: 10, ramp_up: mode === 2 ? 20 : 0 };
    case 1: return { ...base, issue_num: 50, tps_value: 20 };
    case 3: return { ...base, issue_num: 20, minimum: 2, maximum: 20, loop_count: 3, max_duration: 5 };
    case 4: return { ...base, issue_num: 100, minimum: 5, maximum: 50, loop_count: 3, max_duration: 5 };
    case 5: return { ...base, issue_num: 20, minimum: 2, maximum: 20, loop_count: 2 };
    case 6: return { ...base, issue_num: 100, minimum: 5, maximum: 50, loop_count: 2 };
    default: return { ...base, time: 120, issue_num: 50, current_user_num: 5, maximum: 50, step_size: 5, step_duration: 10 };
  }
}

/** The editor; `onChange` gets the whole new stage list. */
export function StageEditor(props: { stages: Stage[]; increaseSetting?: unknown[]; onChange(stages: Stage[]): void }) {
  const { stages } = props;
  const set = (i: number, patch: Partial<Stage>) => props.onChange(stages.map((s, j) => (j === i ? { ...s, ...patch } : s)));
  return (
    <div data-testid="stage-editor">
      <table class="table stage-table">
        <thead><tr><th>#</th><th>name</th><th>pressure mode</th><th>settings</th><th /></tr></thead>
        <tbody>
          {stages.map((s, i) => {
            const mode = s.pressure_mode ?? 0;
            return (
              <tr>
                <td>{i + 1}</td>
                <td><input value={s.name ?? ''} onChange={(e) => set(i, { name: (e.target as HTMLInputElement).value })} style="width: 110px" /></td>
                <td>
                  <select value={String(mode)} data-testid={`stage-mode-${i}`} style="width: 190px"
                    onChange={(e) => {
                      const next = Number((e.target as HTMLSelectElement).value);
                      props.onChange(stages.map((x, j) => (j === i ? { ...defaultStage(next, i), name: x.name } : x)));
                    }}>
                    {MODES.map((m, k) => <option value={String(k)}>{k}: {m}</option>)}
                  </select>
                </td>
                <td>
                  <div class="row">
                    {(FIELDS[mode] ?? FIELDS[0]).map((f) => (
                      <span>
                        <span class="muted small">{f.label} </span>
                        <input type="number" min="0" step={f.step ?? '1'} style="width: 76px" value={s[f.key] === undefined || s[f.key] === null ? '' : String(s[f.key])}
                          data-testid={`stage-${i}-${f.key}`}
                          onChange={(e) => {
                            const text = (e.target as HTMLInputElement).value;
                            set(i, { [f.key]: text === '' ? null : Number(text) });
                          }} />
                      </span>
                    ))}
                  </div>
                </td>
                <td><button class="link danger" onClick={() => props.onChange(stages.filter((_, j) => j !== i))}>Remove</button></td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <div class="row" style="margin-top: 8px">
        <button onClick={() => props.onChange([...stages, defaultStage(0, stages.length)])} data-testid="add-stage">Add stage</button>
      </div>
      <LoadShapePreview stages={stages} increaseSetting={props.increaseSetting} />
    </div>
  );
}

/** The load shape of `stages`, fetched from the server a moment after the last change. */
export function LoadShapePreview(props: { stages: Stage[]; increaseSetting?: unknown[] }) {
  const [shape, setShape] = useState<LoadShape>();
  const [error, setError] = useState<string>();
  const key = JSON.stringify([props.stages, props.increaseSetting]);
  useEffect(() => {
    if (props.stages.length === 0) {
      setShape(undefined);
      setError(undefined);
      return;
    }
    let alive = true;
    const timer = setTimeout(() => {
      api.loadShape(props.stages, props.increaseSetting).then(
        (s) => alive && (setShape(s), setError(undefined)),
        (err: unknown) => alive && (setShape(undefined), setError(errorText(err))),
      );
    }, 300);
    return () => {
      alive = false;
      clearTimeout(timer);
    };
  }, [key]);
  const points = shape?.points ?? [];
  const hasUsers = points.some((p) => p.users !== null);
  const hasTps = points.some((p) => p.tps !== null);
  return (
    <div style="margin-top: 12px" data-testid="load-shape">
      {error && <div class="error-box" data-testid="load-shape-error">{error}</div>}
      {shape && (
        <>
          <TimeChart title={`Load shape: ${shape.duration === null ? 'run by count' : `${shape.duration} s`}`} relative x={points.map((p) => p.t)} testId="load-shape-chart" height={200}
            unit={hasUsers ? '' : ''}
            series={[
              ...(hasUsers ? [{ label: 'users', color: COLORS.users, values: points.map((p) => p.users), fill: true, stepped: true }] : []),
              ...(hasTps ? [{ label: 'TPS', color: COLORS.tps, values: points.map((p) => p.tps), scale: hasUsers ? ('y2' as const) : ('y' as const), fill: !hasUsers, stepped: true }] : []),
            ]} />
          <div class="muted small" data-testid="load-shape-summary">{points.length} points · peak {Math.max(0, ...points.map((p) => p.users ?? p.tps ?? 0))} {hasTps && !hasUsers ? 'TPS' : 'users'}</div>
        </>
      )}
    </div>
  );
}
