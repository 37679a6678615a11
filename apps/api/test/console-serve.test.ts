/**
 * The console as the API serves it: the app at `/` and on its client-side paths without a
 * credential, hashed assets gzipped and cached for good, the report page's files for "Export HTML",
 * API 404s unchanged; the console read from the folder the server is given (PERFTEST_CONSOLE_DIR),
 * a 503 naming it when nothing is built there; and the self-contained HTML report made from a real
 * report of the API.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderReportHtml } from '@perftest/report';
import { expectErrorShape, startTestServer, type TestServer } from './helpers.js';

describe('console served by the API', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer('pglite');
  });
  afterAll(() => server.close());

  it('serves the app, its assets and the report page; API paths keep their errors', async () => {
    const none = { auth: { kind: 'none' as const } };
    const index = await server.client.get('/', none);
    expect(index.status).toBe(200);
    expect(index.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(index.headers['content-security-policy']).toContain("connect-src 'self'");
    const scripts = [...index.text.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]);
    expect(scripts.some((s) => s.endsWith('.js'))).toBe(true);
    expect(scripts.some((s) => s.endsWith('.css'))).toBe(true);
    for (const path of ['/login', '/suites/3/tasks/4/runs/5']) {
      const page = await server.client.get(path, none);
      expect(page.status).toBe(200);
      expect(page.text).toBe(index.text);
    }
    for (const asset of scripts) {
      const res = await server.client.get(asset, { ...none, headers: { 'Accept-Encoding': 'gzip' } });
      expect(res.status).toBe(200);
      expect(res.headers['content-encoding']).toBe('gzip');
      expect(res.headers['cache-control']).toContain('immutable');
    }
    const js = await server.client.get('/console-report/report.js', none);
    expect(js.status).toBe(200);
    expect(js.headers['content-type']).toMatch(/^text\/javascript/);
    expectErrorShape(await server.client.get('/assets/missing.js', none), 404);
    expectErrorShape(await server.client.get('/v1/p/no-such-route', none), 404);
    expectErrorShape(await server.client.get('/v1/p/test-suites', none), 401);
    // the report page's files, not the build's bookkeeping
    expectErrorShape(await server.client.get('/console-report/build-hash', none), 404);
  });

  it('serves the console from the folder it is given, and says where it looked when nothing is built there', async () => {
    const none = { auth: { kind: 'none' as const } };
    const dir = mkdtempSync(join(tmpdir(), 'perftest-console-dir-'));
    const built = join(dir, 'built');
    mkdirSync(join(built, 'assets'), { recursive: true });
    writeFileSync(join(built, 'index.html'), '<!doctype html><title>given console</title><script src="/assets/app-1.js"></script>');
    writeFileSync(join(built, 'assets', 'app-1.js'), 'console.log("given");');
    const given = await startTestServer('pglite', { consoleDir: built });
    const empty = await startTestServer('pglite', { consoleDir: join(dir, 'empty') });
    try {
      for (const path of ['/', '/suites/1']) {
        const page = await given.client.get(path, none);
        expect(page.status).toBe(200);
        expect(page.text).toBe('<!doctype html><title>given console</title><script src="/assets/app-1.js"></script>');
      }
      const asset = await given.client.get('/assets/app-1.js', none);
      expect(asset.status).toBe(200);
      expect(asset.text).toBe('console.log("given");');
      expectErrorShape(await given.client.get('/assets/index.js', none), 404);
      // the report page comes from @perftest/report whatever the console folder
      expect((await given.client.get('/console-report/report.js', none)).status).toBe(200);
      const missing = await empty.client.get('/', none);
      expect(missing.status).toBe(503);
      expect(missing.text).toContain(join(dir, 'empty'));
      expect(missing.text).toContain('PERFTEST_CONSOLE_DIR');
    } finally {
      await given.close();
      await empty.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('renders a report as one self-contained HTML file', async () => {
    const report = {
      brokens: {
        commonTimestamps: ['2026-11-28 14:00:00', '2026-11-28 14:00:01'],
        tps_brokens: { tps: [10, 12], average: [5, 6] },
        vusers_brokens: { vusers: [2, 2] },
        respcode_brokens: { success: [10, 12], checkPointFailed: [0, 1], parsedFailed: [0, 0], refusedFailed: [0, 0], timeout: [0, 0], othersFailed: [0, 0], error: [0, 1] },
        brand_brokens: { sentBytes: [100, 120], recBytes: [1000, 1200] },
      },
      details: { data: [{ performance: { name: 'c', requests: 23 }, detailDatas: [], customTransactions: [] }] },
      outline: { duration: 2, tps: 11, rps: 11.5, successRate: 95.65, avgResponseTime: 5.5, maxUsers: 2, peakMetric: null, stageName: 'x</script><b>' },
      respTimeRange: { '0~50ms': '100.0%(23)' },
      rtproportion: '0~50ms:100.0%',
      taskInfo: { vum: 0 },
    };
    const html = renderReportHtml({ code: 'x', result: report } as never, { name: 'checkout </script>' });
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(/<script[^>]+src=|<link[^>]+href=|url\(/.test(html)).toBe(false);
    // The data closes no element early: exactly the two script elements of the page.
    expect(html.match(/<script/g)?.length).toBe(2);
    expect(html.match(/<\/script>/g)?.length).toBe(2);
    const data = /<script type="application\/json" id="report-data">([^]*?)<\/script>/.exec(html)![1];
    const doc = JSON.parse(data);
    expect(doc.cases[0].name).toBe('checkout </script>');
    expect(doc.cases[0].report.outline.stageName).toBe('x</script><b>');
    expect(doc.cases[0].report.details.data[0].performance.requests).toBe(23);
    expect(html.includes('<title>PerfTest report: checkout &#60;/script&#62;</title>')).toBe(true);
  });
});
