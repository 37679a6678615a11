/** What the report charts are drawn from: rates of merged points, the knee and KPI markers, CSV, buckets. */
import { describe, expect, it } from 'vitest';
import type { ReportResult } from '../src/report-types.js';
import { cardsCsv, seriesCsv } from './csv.js';
import { epochSeconds, reportMarkers, reportSeries } from './model.js';
import { parseBuckets } from './charts/histogram.js';
import { runNotes } from './run-notes.js';

const zeros = (n: number) => Array.from({ length: n }, () => 0);
function report(over: Partial<ReportResult['outline']> = {}): ReportResult {
  return {
    brokens: {
      commonTimestamps: ['2026-11-28 14:00:00', '2026-11-28 14:00:10', '2026-11-28 14:00:20'],
      tps_brokens: { tps: [5, 6, 7], average: [10, 11, 12] },
      vusers_brokens: { vusers: [2, 3, 4] },
      respcode_brokens: { success: [50, 60, 70], checkPointFailed: [10, 0, 0], parsedFailed: zeros(3), refusedFailed: zeros(3), timeout: [0, 20, 0], othersFailed: zeros(3), error: [10, 20, 0] },
      brand_brokens: { sentBytes: [1000, 2000, 3000], recBytes: [100, 200, 300] },
      dropped_brokens: { dropped: zeros(3) },
    },
    details: { data: [{ performance: { name: 'case, "quoted"', requests: 210 } as never, detailDatas: [{ name: 'a,b', method: 'GET', url: 'http://x/', requests: 210 } as never], customTransactions: [] }] },
    outline: { startTime: null, endTime: null, duration: 30, maxUsers: 4, tps: 6, rps: 7, successRate: 85.7, avgResponseTime: 11, stage: 1, stageName: null, kpiCaseCount: 0, kpiCaseExecuteCount: 0, kpiCasePassCount: 0, kpiMissed: null, peakMetric: null, taskStatus: 2, ...over },
    respTimeRange: { '0~50ms': '31.4%(314)', '>5s': '4.1%(41)' },
    rtproportion: '',
    taskInfo: { vum: 1 },
  };
}

describe('report model', () => {
  it('divides the counts of merged points by the seconds they stand for', () => {
    const s = reportSeries(report());
    expect(s.x).toEqual([0, 10, 20].map((d) => epochSeconds('2026-11-28 14:00:00') + d));
    expect(s.width).toEqual([10, 10, 10]);
    expect(s.rps).toEqual([6, 8, 7]);
    expect(s.errors.timeout).toEqual([0, 2, 0]);
    expect(s.sentPerSec).toEqual([100, 200, 300]);
  });

  it('marks the knee of intelligent high pressure, or a missed KPI, at the peak time', () => {
    const peakMetric = { vuser: 40, rps: 812.4, avgRT: 20, successRate: 99.9, peakTime: '2026-11-28T14:00:10.000+00:00' };
    expect(reportMarkers(report())).toEqual([]);
    expect(reportMarkers(report({ peakMetric }))).toEqual([{ t: epochSeconds('2026-11-28 14:00:10'), label: 'knee: peak 40 users, 812 rps', color: '#d9822b' }]);
    expect(reportMarkers(report({ peakMetric, kpiMissed: 'success_rate' }))[0].label).toBe('KPI missed: success_rate');
  });

  it('writes CSV with quoted cells and one line per point', () => {
    const cards = cardsCsv('case, "quoted"', report()).split('\r\n');
    expect(cards[1].startsWith('case,"case, ""quoted""",,,210,')).toBe(true);
    expect(cards[2].startsWith('card,"a,b",GET,http://x/,210,')).toBe(true);
    const series = seriesCsv(report()).trim().split('\r\n');
    expect(series).toHaveLength(4);
    expect(series[2]).toBe('2026-11-28 14:00:10,10,6,8,11,3,60,0,0,0,20,0,2000,200');
  });

  it('reads respTimeRange buckets', () => {
    expect(parseBuckets(report().respTimeRange)).toEqual([{ label: '0~50ms', percent: 31.4, count: 314 }, { label: '>5s', percent: 4.1, count: 41 }]);
  });

  it('notes why a run ended in error, its interruptions, dropped starts and aborted requests; nothing for a whole run', () => {
    expect(runNotes(report().outline)).toEqual([]);
    const notes = runNotes(
      report({
        reason: 'worker died twice while running it',
        interruptions: [
          { share: 0, shareCount: 2, worker: 'w1', host: 'h1', from: '2026-11-28T14:00:10.000Z', to: '2026-11-28T14:00:12.500Z', seconds: 2.5, reason: 'worker w1 on h1 stopped heartbeating', resumed: true },
        ],
        interruptedSeconds: 2.5,
        droppedStarts: 1200,
        droppedStartsMaxPerSecond: 90,
        abortedRequests: 3,
      }).outline,
    );
    expect(notes.map((n) => [n.kind, n.tone])).toEqual([['reason', 'bad'], ['interruption', 'warn'], ['interruption', 'warn'], ['dropped', 'warn'], ['aborted', 'warn']]);
    expect(notes[0].text).toBe('Ended in error: worker died twice while running it');
    expect(notes[1].text).toBe('Interrupted (share 1 of 2) from 2026-11-28 14:00:10 to 2026-11-28 14:00:12 (2.5 s): worker w1 on h1 stopped heartbeating; resumed by another worker');
    expect(notes[2].text).toBe('2.5 s down are not counted in the duration');
    expect(notes[3].text).toContain('1,200 starts dropped (at most 90 in a second)');
    expect(notes[4].text).toContain('3 requests still in flight');
  });
});
