/**
 * The case `perftest run-url` runs: one request card doing GET URL with a status checkpoint that
 * accepts 2xx, under `connections` users for `seconds` (or `tps` iterations per second from a pool of
 * `connections` users).
 */
import type { CaseInfoDetail, TestCaseStage } from '@perftest/model';
import { CardType, ContentType, OperateMode, PressureMode, ProtocolType } from '@perftest/model';

/** What run-url measures. */
export interface UrlLoad {
  url: string;
  connections: number;
  seconds: number;
  tps?: number;
}

/** Builds the one-card GET case of run-url. */
export function urlCase(load: UrlLoad): CaseInfoDetail {
  const https = load.url.toLowerCase().startsWith('https:');
  const stage: TestCaseStage =
    load.tps === undefined
      ? { name: 'run-url', pressure_mode: PressureMode.Concurrency, operate_mode: OperateMode.ByDuration, time: load.seconds, issue_num: load.connections }
      : {
          name: 'run-url',
          pressure_mode: PressureMode.Tps,
          operate_mode: OperateMode.ByDuration,
          time: load.seconds,
          tps_value: load.tps,
          issue_num: load.connections,
        };
  return {
    name: 'run-url',
    contents: [
      {
        data_type: CardType.Request,
        content: [
          {
            content_type: ContentType.Packet,
            content: { protocol_type: https ? ProtocolType.Https : ProtocolType.Http, name: 'GET', method: 'GET', url: load.url },
          },
          {
            content_type: ContentType.Checkpoint,
            content: {
              checks: [
                { source: 'status', operator: '>=', value: '200' },
                { source: 'status', operator: '<', value: '300' },
              ],
              logic: 'AND',
            },
          },
        ],
      },
    ],
    stages: [stage],
  };
}
