/**
 * The closed and open models on their own, with a small virtual user that does one real HTTP GET per
 * iteration (node:http, keep-alive) against a local counting server, recording into the real
 * IntervalRecorder.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IntervalRecorder } from '../src/metrics/interval-recorder.js';
import { mergeIntervals } from '../src/metrics/merge.js';
import { summarize } from '../src/metrics/summary.js';
import { ArrivalSchedule } from '../src/run/arrival-schedule.js';
import { epochMs, sleep } from '../src/run/clock.js';
import { ClosedModel } from '../src/run/closed-model.js';
import { OpenModel } from '../src/run/open-model.js';
import { Share } from '../src/run/share.js';
import type { VirtualUser } from '../src/types.js';

let server: http.Server;
let url: string;
let served = 0;
/** Epoch ms until which the server holds every response. */
let stallUntil = 0;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    served++;
    const wait = stallUntil - Date.now();
    const reply = (): void => {
      res.end('ok');
    };
    if (wait > 0) setTimeout(reply, wait);
    else reply();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

/** A virtual user doing one GET per iteration; RT includes the start lateness. */
function httpUser(recorder: IntervalRecorder, signal: AbortSignal): VirtualUser {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  return {
    async setup() {},
    iterate(lateUs = 0) {
      const t0 = epochMs();
      return new Promise<void>((resolve) => {
        const req = http.get(url, { agent, signal }, (res) => {
          res.resume();
          res.on('end', () => {
            const result = {
              outcome: 'success' as const,
              status: res.statusCode ?? 0,
              responseTimeUs: (epochMs() - t0) * 1000 + lateUs,
              sentBytes: 0,
              recBytes: 2,
            };
            if (!signal.aborted) {
              recorder.request('get', result);
              recorder.iteration({ ok: true, ...result });
            }
            resolve();
          });
        });
        req.on('error', () => resolve());
      });
    },
    async close() {
      agent.destroy();
    },
  };
}

describe('ClosedModel', () => {
  it('holds the target, retires surplus users after their iteration, and records every request', async () => {
    served = 0;
    const recorder = new IntervalRecorder();
    const abort = new AbortController();
    const errors: unknown[] = [];
    const model = new ClosedModel({
      createUser: () => httpUser(recorder, abort.signal),
      signal: abort.signal,
      onError: (e) => errors.push(e),
      onProgress: () => {},
    });
    model.beginStage();
    model.setTarget(8);
    expect(model.users).toBe(8);
    await sleep(500);
    model.setTarget(2);
    expect(model.users).toBe(2);
    await sleep(500);
    model.setTarget(0);
    await model.drain();
    const interval = recorder.flush(0, model.users, model.started, 0, 0);
    expect(errors).toEqual([]);
    expect(interval.iterations.requests).toBe(model.started);
    expect(interval.cards.get.requests).toBe(served);
    expect(served).toBe(model.started);
    expect(served).toBeGreaterThan(50);
  });

  it('starts exactly the budget of a by-count stage', async () => {
    served = 0;
    const recorder = new IntervalRecorder();
    const abort = new AbortController();
    let done = 0;
    const model = new ClosedModel({
      createUser: () => httpUser(recorder, abort.signal),
      signal: abort.signal,
      onError: () => {},
      onProgress: () => done++,
    });
    model.beginStage(137);
    model.setTarget(5);
    for (let i = 0; i < 200 && done < 137; i++) await sleep(10);
    expect(done).toBe(137);
    await sleep(50);
    expect(model.started).toBe(137);
    model.setTarget(0);
    await model.drain();
    expect(served).toBe(137);
  });
});

describe('OpenModel', () => {
  it('starts exactly the scheduled iterations at a constant rate', async () => {
    served = 0;
    const recorder = new IntervalRecorder();
    const abort = new AbortController();
    const model = new OpenModel({
      createUser: () => httpUser(recorder, abort.signal),
      signal: abort.signal,
      onError: () => {},
      onProgress: () => {},
      startWaitMs: 200,
    });
    model.beginStage(new ArrivalSchedule(() => 200, Share.WHOLE, 1500), epochMs(), 20);
    await sleep(1600);
    await model.drain();
    expect(model.scheduling).toBe(false);
    expect(model.started).toBe(300);
    expect(model.dropped).toBe(0);
    expect(model.users).toBeLessThanOrEqual(20);
    await model.close();
    expect(model.users).toBe(0);
    expect(served).toBe(300);
    expect(recorder.flush(0, 0, 0, 0, 0).iterations.requests).toBe(300);
  });

  it('keeps its schedule while the target stalls: drops what the pool cannot serve, latency from the intended start', async () => {
    served = 0;
    const recorder = new IntervalRecorder();
    const abort = new AbortController();
    const model = new OpenModel({
      createUser: () => httpUser(recorder, abort.signal),
      signal: abort.signal,
      onError: () => {},
      onProgress: () => {},
      startWaitMs: 100,
    });
    const origin = epochMs();
    model.beginStage(new ArrivalSchedule(() => 100, Share.WHOLE, 2000), origin, 4);
    await sleep(500);
    stallUntil = Date.now() + 600;
    await sleep(1600);
    await model.drain();
    await model.close();
    expect(model.started + model.dropped).toBe(200);
    expect(model.dropped).toBeGreaterThan(20);
    expect(served).toBe(model.started);
    const stats = summarize(mergeIntervals([recorder.flush(0, 0, 0, 0, 0)]).iterations);
    expect(stats.requests).toBe(model.started);
    expect(stats.percentiles.tp99).toBeGreaterThan(400_000);
    expect(stats.percentiles.tp50).toBeLessThan(100_000);
  });

  it('counts every intended start of a stage once, started or dropped, those still waiting at its end and at the halt included', async () => {
    const halt = new AbortController();
    const hung: Array<() => void> = [];
    // Users whose iterations never end by themselves: every start after the first two waits, then drops.
    const stuckUser = (): VirtualUser => ({
      setup: async () => {},
      iterate: () => new Promise<void>((resolve) => hung.push(resolve)),
      close: async () => {},
    });
    const model = new OpenModel({ createUser: stuckUser, signal: halt.signal, onError: () => {}, onProgress: () => {}, startWaitMs: 300 });
    const stage = (tps: number): void => model.beginStage(new ArrivalSchedule(() => tps, Share.WHOLE, 1000), epochMs(), 2);
    const scheduled = async (): Promise<void> => {
      while (model.scheduling) await sleep(10);
    };
    stage(50);
    await scheduled();
    // The starts of the last 300 ms still wait for a user: neither started nor dropped yet.
    expect(model.started + model.dropped).toBeLessThan(50);
    stage(30);
    // The next stage began: stage 1's waiting starts were dropped, so its 50 starts are all counted.
    expect(model.started + model.dropped).toBe(50);
    await scheduled();
    expect(model.started).toBe(2);
    expect(model.started + model.dropped).toBeLessThan(80);
    // The run halts as the case runner does it: no more starts, then the halt.
    model.beginStage(undefined, epochMs(), 0);
    halt.abort();
    expect(model.started + model.dropped).toBe(80);
    expect(model.started).toBe(2);
    for (const resolve of hung) resolve();
    await model.drain();
    await model.close();
    expect(model.started + model.dropped).toBe(80);
  });
});
