import type { CaseInfoDetail } from '@perftest/model';
import { describe, expect, it } from 'vitest';
import { planStages } from '../pressure/stage-plan.js';
import type { CaseProblem } from '../types.js';
import { asPreparedCase, prepareCase, preparedPlan } from './prepare.js';

const card = { data_type: 0, content: [{ content_type: 2, content: { protocol_type: 1, name: 'get', method: 'GET', url: 'http://127.0.0.1:9/x' } }] };

const kase: CaseInfoDetail = {
  name: 'prepared',
  contents: [card],
  stages: [
    { pressure_mode: 0, time: 100 },
    { pressure_mode: 0, operate_mode: 1, count: 50, issue_num: 2 },
    { pressure_mode: 1, time: 10, tps_value: 5, issue_num: 3 },
  ],
  increase_setting: [{ start_users: 10, total_increase: 100, level_percent: 100 }],
};

describe('prepareCase', () => {
  it('keeps the timeline as plain JSON that hydrates to the planned one, by-count and gradient included', async () => {
    const result = await prepareCase({ case: kase });
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    const stored = JSON.parse(JSON.stringify(result.prepared));
    expect(stored).toEqual(result.prepared);
    expect(stored.cards.map((c: { name: string; method: string }) => [c.name, c.method])).toEqual([['get', 'GET']]);
    const planned = planStages(kase, [])!;
    const hydrated = preparedPlan(stored);
    const fields = (s: (typeof planned.stages)[number]) => [s.index, s.stageIndex, s.subPhase, s.subPhases, s.start, s.duration, s.kind, s.byCount, s.count, s.maxUsers, s.manual, s.impl, s.stage];
    expect(hydrated.stages.map(fields)).toEqual(planned.stages.map(fields));
    // gradient sub-phases, then a by-count stage (no length) after which offsets are unknown
    expect(hydrated.stages.map((s) => [s.start, s.duration])).toEqual([[0, 50], [50, 50], [100, Infinity], [NaN, 10]]);
    expect(hydrated.duration).toBe(Infinity);
    expect(hydrated.maxUsers).toBe(planned.maxUsers);
    // a prepared input is taken as is, a raw one (stored by an older version) is prepared
    expect(await asPreparedCase(stored)).toEqual({ ok: true, prepared: stored });
    expect(await asPreparedCase({ case: kase })).toEqual({ ok: true, prepared: result.prepared });
  });

  it('lists the problems of the stages and of the contents together', async () => {
    const result = await prepareCase({ case: { name: 'bad', contents: [{ data_type: 0, content: [{ content_type: 2, content: { protocol_type: 1 } }] }], stages: [] } });
    expect(result.ok).toBe(false);
    const paths = (result as { problems: CaseProblem[] }).problems.map((p) => p.path);
    expect(paths).toContain('stages');
    expect(paths.some((p) => p.startsWith('contents[0]'))).toBe(true);
  });
});
