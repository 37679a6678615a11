/**
 * A case of 2,000 request cards run through the API by the embedded worker (one user, two passes), its
 * memory sampled while it runs and its report read page by page. Checked: every card's row counts
 * exactly the requests its own URL received, pages hold at most 1,000 rows and add up to every
 * card, the case row counts them all, a page size over the cap is a 400 naming it; and the server
 * process's memory grew by a few KB per card, where dense per-card histograms took ~0.5 MB.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CardType, ContentType, OperateMode, PressureMode, ProtocolType, type CaseInfoDetail } from '@perftest/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, expectErrorShape, startTestServer, type TestServer } from './helpers.js';
import { createTask, PROJECT, startTask, taskInfo, waitForRunStatus } from './runs-fixtures.js';

const CARDS = 2_000;

describe.each(backends())(`a case of ${CARDS} cards on %s`, (backend) => {
  let server: TestServer;
  let target: Server;
  let url = '';
  const served = new Map<string, number>();

  beforeAll(async () => {
    server = await startTestServer(backend, { runs: { workers: 1 } });
    target = createServer((req, res) => {
      served.set(req.url ?? '', (served.get(req.url ?? '') ?? 0) + 1);
      req.resume();
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
    target.keepAliveTimeout = 60_000;
    await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(target.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await server?.close();
    target?.closeAllConnections();
    await new Promise((resolve) => target?.close(resolve));
  });

  it(`runs ${CARDS} cards in a few KB each and reports each card exactly, a page at a time`, { timeout: 120_000 }, async () => {
    const kase = {
      name: 'many cards',
      contents: Array.from({ length: CARDS }, (_, i) => ({
        data_type: CardType.Request,
        content: [{ content_type: ContentType.Packet, content: { protocol_type: ProtocolType.Http, name: `c${i}`, method: 'GET', url: `${url}/c${i}` } }],
      })),
      stages: [{ name: 'two passes', pressure_mode: PressureMode.Concurrency, operate_mode: OperateMode.ByCount, count: 2, issue_num: 1 }],
    } as CaseInfoDetail;
    const { suiteId, taskId } = await createTask(server.client, [kase], false);
    const memory = () => {
      const m = process.memoryUsage();
      return { rss: m.rss, retained: m.heapUsed + m.arrayBuffers };
    };
    const base = memory();
    let peak = base;
    const sampler = setInterval(() => {
      const m = memory();
      peak = { rss: Math.max(peak.rss, m.rss), retained: Math.max(peak.retained, m.retained) };
    }, 25);
    const taskRunId = await startTask(server.client, suiteId, taskId);
    const ended = await waitForRunStatus(server.client, taskId, [2, 3, 4], 60_000);
    expect(ended.status).toBe(2);
    const caseRunId = (await taskInfo(server.client, taskId)).related_temp_running_data[0].related_temp_running_id;
    const path = `/v1/${PROJECT}/task-run-infos/${taskRunId}/case-run-infos/${caseRunId}/reports`;
    const read = async (query: Record<string, string | number>) => {
      const res = await server.client.get(path, { query });
      expect(res.status, res.text).toBe(200);
      return res.body.result;
    };
    const first = await read({ brokens_limit_count: 10 });
    clearInterval(sampler);

    const total = [...served.values()].reduce((a, b) => a + b, 0);
    expect(total).toBe(2 * CARDS);
    expect(first.details.data[0].performance.requests).toBe(total);
    expect(first.details.data[0].performance.transactions).toBe(2);
    expect([first.details.detailPageIndex, first.details.detailPageSize, first.details.detailTotal]).toEqual([1, 1000, CARDS]);
    const rows = [...first.details.data[0].detailDatas];
    expect(rows).toHaveLength(1000);
    const second = await read({ brokens_limit_count: 10, details_page: 2 });
    expect(second.details.detailPageIndex).toBe(2);
    rows.push(...second.details.data[0].detailDatas);
    expect((await read({ details_page: 3 })).details.data[0].detailDatas).toEqual([]);
    const small = await read({ details_page: 7, details_page_size: 300 });
    expect(small.details.data[0].detailDatas.map((r: { name: string }) => r.name)).toEqual(Array.from({ length: 200 }, (_, i) => `c${1800 + i}`));
    expect(rows.map((r) => r.name)).toEqual(Array.from({ length: CARDS }, (_, i) => `c${i}`));
    expect(rows.map((r) => r.id)).toEqual(Array.from({ length: CARDS }, (_, i) => `${caseRunId}-${i + 1}`));
    for (const row of rows) expect([row.name, row.requests, served.get(`/${row.name}`)]).toEqual([row.name, 2, 2]);
    const tooMany = await server.client.get(path, { query: { details_page_size: 1001 } });
    expectErrorShape(tooMany, 400);
    expect(tooMany.body.error_msg).toMatch(/details_page_size/);

    // Dense histograms took ~95 KB per card in the recorder and ~190 KB in each of the run's totals
    // and the report's accumulator: 2,000 cards grew this process by about a gigabyte. Now ~20 KB a
    // card at the peak, garbage not yet collected included (the bounds leave room for the collector).
    const perCard = { rss: (peak.rss - base.rss) / CARDS, retained: (peak.retained - base.retained) / CARDS };
    expect(perCard.retained).toBeLessThan(100 * 1024);
    expect(perCard.rss).toBeLessThan(150 * 1024);
  });
});
