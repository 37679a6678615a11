/**
 * Shared pieces of the run tests: a local HTTP target on 127.0.0.1 port 0 that counts what it served
 * (and can stall or fail on demand), and a one-card GET case with a 2xx status checkpoint.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CaseInfoDetail, IntervalMessage, TestCaseStage } from '@perftest/model';

/** A counting HTTP server. */
export interface CountingServer {
  url: string;
  /** Requests answered or being answered. */
  served: number;
  /** Requests currently in progress. */
  inFlight: number;
  /** Epoch ms until which every response is held back. */
  stallUntil: number;
  /** Every response waits this long (ms). */
  delayMs: number;
  /** Answer 500 while more than this many requests are in progress. */
  failAbove: number;
  /** The request targets (path and query) received, kept while `recordPaths` is true. */
  recordPaths: boolean;
  paths: string[];
  close(): Promise<void>;
}

/** Starts a counting server on 127.0.0.1, port 0. */
export async function startCountingServer(): Promise<CountingServer> {
  const state: CountingServer = {
    url: '',
    served: 0,
    inFlight: 0,
    stallUntil: 0,
    delayMs: 0,
    failAbove: Number.POSITIVE_INFINITY,
    recordPaths: false,
    paths: [],
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
  const server = http.createServer((req, res) => {
    state.served++;
    state.inFlight++;
    if (state.recordPaths) state.paths.push(req.url ?? '');
    const status = state.inFlight > state.failAbove ? 500 : 200;
    const reply = (): void => {
      state.inFlight--;
      res.statusCode = status;
      res.end('ok');
    };
    const wait = Math.max(state.stallUntil - Date.now(), state.delayMs);
    if (wait > 0) setTimeout(reply, wait);
    else reply();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  return state;
}

/** A case of one GET card on `url` with a 2xx status checkpoint, run through `stages`. */
export function getCase(url: string, stages: TestCaseStage[]): CaseInfoDetail {
  return {
    name: 'run-test',
    contents: [
      {
        data_type: 0,
        content: [
          { content_type: 2, content: { protocol_type: 1, name: 'get', method: 'GET', url } },
          {
            content_type: 3,
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
    stages,
  };
}

/** Sum of the request counts of every card of some intervals. */
export function recordedRequests(intervals: readonly IntervalMessage[]): number {
  let n = 0;
  for (const i of intervals) for (const key of Object.keys(i.cards)) n += i.cards[key].requests;
  return n;
}

/** Resolves after `ms` milliseconds. */
export function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** What a split server received: every request, and those it holds (never answered before close). */
export interface SplitCounts {
  total: number;
  stuck: number;
}

/**
 * A target on 127.0.0.1 port 0 that counts every request it receives: `/fast` answers at once,
 * `/slow` after 300 ms, except every third `/slow` from the third on, held until the server closes.
 */
export async function startSplitServer(): Promise<{ url: string; served: SplitCounts; close(): Promise<void> }> {
  const served: SplitCounts = { total: 0, stuck: 0 };
  let slow = 0;
  const server = http.createServer((req, res) => {
    served.total++;
    if (req.url?.startsWith('/fast')) return void res.end('ok');
    slow++;
    if (slow >= 3 && slow % 3 === 0) {
      served.stuck++;
      return;
    }
    setTimeout(() => res.end('ok'), 300);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    served,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** A case of 6 users each sending GET `/fast`, GET `/slow`, then thinking `thinkMs`, for 60 s. */
export function twoStepCase(base: string, thinkMs: number): CaseInfoDetail {
  const get = (name: string) => ({ content_type: 2, content: { protocol_type: 1, name, method: 'GET', url: `${base}/${name}` } });
  return {
    name: 'split',
    contents: [{ data_type: 0, content: [get('fast'), get('slow'), { content_type: 1, content: { think_time: thinkMs } }] }],
    stages: [{ pressure_mode: 0, operate_mode: 0, time: 60, issue_num: 6 }],
  } as CaseInfoDetail;
}
