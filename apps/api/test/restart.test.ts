import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers.js';

const P = 'proj-restart';

/** Everything a client can read about one project. */
async function snapshot(server: TestServer, suite: number, templateId: number) {
  const c = server.client;
  const reads = await Promise.all([
    c.get(`/v1/${P}/test-suites`),
    c.get(`/v1/${P}/test-suites/${suite}`),
    c.get(`/v1/${P}/variables/0/test-suites/${suite}`),
    c.get(`/v1/${P}/all-templates/${suite}`),
    c.get(`/v1/${P}/templates/${templateId}`),
  ]);
  for (const r of reads) expect(r.status).toBe(200);
  return reads.map((r) => r.body);
}

describe('restart on a PGlite data directory', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'perftest-restart-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('reads back the project, its variables and a transaction identical after a restart', async () => {
    const first = await startTestServer('pglite', { dataDir });
    let before: unknown[];
    let suite: number;
    let templateId: number;
    try {
      const c = first.client;
      suite = (await c.post(`/v1/${P}/test-suites`, { name: 'kept', description: 'survives' })).body.project_id;
      expect(
        (await c.put(`/v1/${P}/test-suites/${suite}`, { name: 'kept', variables_no_file: ['col'], external_params: { a: [1] } })).status,
      ).toBe(204);
      const vars = await c.post(`/v1/${P}/variables/${suite}`, [
        { name: 'n', variable_type: 1, variable: [1, 100], variable_mode: 1 },
        { name: 'e', variable_type: 2, variable: ['x', 2, true], share_mode: 1 },
        { name: 'f', variable_type: 3, variable: [['col', 'other'], ['1', 'ü'], ['2', null]] },
        { name: 't', variable_type: 5, variable: ['{"json": "text"}'], is_sensitive: true },
      ]);
      expect(vars.status).toBe(201);
      const contents = [
        {
          content_id: 0,
          index: 0,
          content: [
            { content_type: 2, content: { protocol_type: 1, method: 'POST', url: 'http://127.0.0.1:1/${n}', body: '{"v": "${e}"}' } },
            { content_type: 1, content: { think_time: 10 } },
          ],
          data_type: 0,
          is_continue: false,
        },
      ];
      const temp = await c.post(`/v1/${P}/templates`, { project_id: suite, temp_type: 0, name: 'kept-temp', description: 'd', contents });
      expect(temp.status).toBe(201);
      templateId = temp.body.tempId;
      before = await snapshot(first, suite, templateId);
      expect((before[2] as { variable_list: unknown[] }).variable_list.length).toBe(4);
      expect((before[4] as { temp_info: { contents: unknown } }).temp_info.contents).toEqual(contents);
    } finally {
      await first.close();
    }

    const second = await startTestServer('pglite', { dataDir });
    try {
      expect(await snapshot(second, suite, templateId)).toEqual(before);
      const next = await second.client.post(`/v1/${P}/variables/${suite}`, [{ name: 'later', variable_type: 1, variable: [1, 2] }]);
      expect(next.status).toBe(201);
      const ids = (before[2] as { variable_list: Array<{ id: number }> }).variable_list.map((v) => v.id);
      expect(next.body.json.variable_id).toBeGreaterThan(Math.max(...ids));
    } finally {
      await second.close();
    }
  }, 60_000); // two on-disk PGlite start-ups: slow when the machine is busy
});
