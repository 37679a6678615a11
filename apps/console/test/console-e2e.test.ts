/**
 * The console end to end in Debian's chromium, against a real API (PGlite, embedded worker) and a
 * local target that counts requests: log in; create a suite, a task and a case through the UI;
 * preview a surge stage; start the run; the live chart gains points and the card count rises;
 * stop; the report's count equals the REST report's and the target's; a second run; compare the
 * two; export HTML and open the file with the network blocked: its charts draw; a directory of the
 * case library, made in the UI, shows the case saved into it under it in the tree, and the case
 * opens from there. No console error.
 * Screenshots of each page go to apps/console/test-output/ (git-ignored). PGlite, and Postgres too
 * when DATABASE_URL is set.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, startTestServer, TEST_PASSWORD, type TestServer } from '../../api/test/helpers.js';
import { settled, startTarget, type CountingTarget } from '../../api/test/runs-fixtures.js';
import { launchBrowser, TEST_OUTPUT, type TestBrowser } from './browser.js';

const PROJECT = 'console-e2e';

/** Waits until `read` (run in the page) is truthy; returns its value. */
async function until<T>(page: Page, read: () => T, timeout = 20_000): Promise<T> {
  const handle = await page.waitForFunction(read, undefined, { timeout, polling: 100 });
  return (await handle.jsonValue()) as T;
}


const number = (text: string | null) => Number(String(text).replace(/[^\d.]/g, ''));

describe.each(backends())('console in chromium on %s', (backend) => {
  let server: TestServer;
  let target: CountingTarget;
  let browser: TestBrowser;
  let page: Page;
  const shot = (p: Page, name: string) => p.screenshot({ path: join(TEST_OUTPUT, `${backend}-${name}.png`), fullPage: true });

  beforeAll(async () => {
    [server, target, browser] = await Promise.all([startTestServer(backend, { runs: { workers: 1 } }), startTarget(), launchBrowser()]);
    page = await browser.page();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await target?.close();
  });

  it('logs in, builds a case, runs it live, reports, compares and exports', { timeout: 240_000 }, async () => {
    // Log in: the app redirects to /login and keeps the token for the tab.
    await page.goto(server.baseUrl);
    await page.waitForSelector('[data-testid=login]');
    await shot(page, '01-login');
    await page.fill('#user', 'admin');
    await page.fill('#password', TEST_PASSWORD);
    await page.fill('#project', PROJECT);
    await page.click('button[type=submit]');
    await page.waitForSelector('[data-testid=suites-page]');
    expect(await page.textContent('[data-testid=project]')).toBe(PROJECT);

    // A suite, a task and a case, through the UI.
    await page.fill('[data-testid=create-suite] input', 'shop');
    await page.click('[data-testid=create-suite] button');
    await page.waitForSelector('[data-testid=suite-page]');
    // Rename the suite in place; the tree and the API agree.
    await page.click('[data-testid=rename]');
    await page.fill('[data-testid=rename-form] input', 'web shop');
    await page.click('[data-testid=rename-form] button[type=submit]');
    await page.waitForSelector('[data-testid=tree] >> text=web shop');
    expect((await server.client.get(`/v1/${PROJECT}/test-suites`)).body.projects.map((p: { name: string }) => p.name)).toEqual(['web shop']);
    await page.fill('[data-testid=create-task] input', 'checkout');
    await page.click('[data-testid=create-task] button');
    await page.waitForSelector('[data-testid=task-page]');
    // A case made and deleted again (the confirmation accepted).
    page.once('dialog', (d) => void d.accept());
    await page.fill('[data-testid=create-case] input', 'scratch');
    await page.click('[data-testid=create-case] button');
    await page.waitForSelector('[data-testid=case-page]');
    await page.click('[data-testid=delete]');
    await page.waitForSelector('[data-testid=task-page] >> text=No case in this task yet.');
    await page.fill('[data-testid=create-case] input', 'browse');
    await page.click('[data-testid=create-case] button');
    await page.waitForSelector('[data-testid=case-page]');
    const [, suiteId, taskId, caseId] = /\/suites\/(\d+)\/tasks\/(\d+)\/cases\/(\d+)/.exec(page.url())!.map(Number);

    // The case's request goes to the counting target: edit the JSON.
    await page.click('[data-testid=tab-json]');
    const doc = JSON.parse(await page.inputValue('[data-testid=json-editor]'));
    doc.contents[0].content[0].content.url = `${target.url}/browse`;
    doc.contents[0].content[1].content.think_time = 100;
    await page.fill('[data-testid=json-editor]', JSON.stringify(doc, null, 2));
    // A broken value is refused with its path listed beside the editor.
    await page.fill('[data-testid=json-editor]', JSON.stringify({ ...doc, stages: [{ ...doc.stages[0], pressure_mode: 9 }] }, null, 2));
    await page.click('[data-testid=save]');
    await page.waitForSelector('[data-testid=problems] >> text=pressure_mode');
    await shot(page, '02-case-json-problem');
    await page.fill('[data-testid=json-editor]', JSON.stringify(doc, null, 2));

    // A surge stage and its load shape, as the server's stage plan computes it.
    await page.click('[data-testid=tab-stages]');
    await page.selectOption('[data-testid=stage-mode-0]', '3');
    await page.fill('[data-testid=stage-0-time]', '60');
    await page.fill('[data-testid=stage-0-minimum]', '1');
    await page.fill('[data-testid=stage-0-maximum]', '3');
    await page.fill('[data-testid=stage-0-loop_count]', '6');
    await page.fill('[data-testid=stage-0-max_duration]', '4');
    await page.press('[data-testid=stage-0-max_duration]', 'Tab');
    await page.waitForSelector('[data-testid=load-shape-chart] canvas');
    const summary = await page.textContent('[data-testid=load-shape-summary]');
    expect(summary).toMatch(/peak 3 users/);
    await page.click('[data-testid=save]');
    await page.waitForSelector('text=Saved.');
    await shot(page, '03-case-stages');
    const stored = (await server.client.get(`/v1/${PROJECT}/tasks/${taskId}`)).body.taskInfo.case_list[0];
    expect(stored.case_id).toBe(caseId);
    expect(stored.stages[0]).toMatchObject({ pressure_mode: 3, minimum: 1, maximum: 3, loop_count: 6, max_duration: 4, time: 60 });
    expect(stored.contents[0].content[0].content.url).toBe(`${target.url}/browse`);

    // Debug: one pass, its request and response readable.
    await page.click('[data-testid=debug]');
    await page.waitForSelector('[data-testid=debug-results] >> text=200 OK');
    await shot(page, '04-debug');
    expect(await settled(() => target.count)).toBe(1);

    // Start; the live view gains points and the card count rises; stop.
    const run1 = await startAndStop(suiteId, taskId, '05-live');
    await page.waitForSelector('[data-testid=run-report]', { timeout: 30_000 });
    await page.waitForSelector('[data-testid=chart-throughput] canvas');
    const served = (await settled(() => target.count)) - 1; // the debug run's request came first
    const caseRunId = (await server.client.get(`/v1/${PROJECT}/tasks/${taskId}`)).body.taskInfo.related_temp_running_data[0].related_temp_running_id;
    const rest = (await server.client.get(`/v1/${PROJECT}/task-run-infos/${run1}/case-run-infos/${caseRunId}/reports`)).body.result;
    const shown = number(await page.textContent('[data-testid=total-count]'));
    expect(shown).toBe(rest.details.data[0].performance.requests);
    expect(shown).toBe(served);
    expect(number(await page.textContent('[data-testid=kpi-requests] .kpi-value'))).toBe(served);
    await shot(page, '06-report');

    // Export HTML; open the file with every request blocked: the charts draw.
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=export-html]')]);
    const file = join(TEST_OUTPUT, `${backend}-report.html`);
    await download.saveAs(file);
    expect(readFileSync(file, 'utf8')).not.toMatch(/<script[^>]+src=|<link[^>]+href=/);
    const offline = await browser.page();
    const requested: string[] = [];
    await offline.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith('file:')) return route.continue();
      requested.push(url);
      return route.abort();
    });
    await offline.goto(pathToFileURL(file).href);
    await until(offline, () => (globalThis as any).__reportDrawn === true);
    await offline.waitForSelector('[data-testid=chart-throughput] canvas');
    expect(await offline.locator('.uplot canvas').count()).toBeGreaterThanOrEqual(6);
    expect(number(await offline.textContent('[data-testid=total-count]'))).toBe(served);
    expect(requested).toEqual([]);
    await shot(offline, '07-exported-report');
    await offline.close();

    // A second run, then both compared on one chart.
    const run2 = await startAndStop(suiteId, taskId, '08-live-second');
    await page.waitForSelector('[data-testid=run-report]', { timeout: 30_000 });
    await page.goto(`${server.baseUrl}/suites/${suiteId}/tasks/${taskId}`);
    await page.waitForSelector(`[data-testid=pick-${run1}]`);
    await page.check(`[data-testid=pick-${run1}]`);
    await page.check(`[data-testid=pick-${run2}]`);
    await page.click('[data-testid=compare]');
    await page.waitForSelector('[data-testid=compare-chart] canvas');
    const legend = await page.textContent('[data-testid=compare-chart]');
    expect(legend).toContain(`run ${run1}`);
    expect(legend).toContain(`run ${run2}`);
    await shot(page, '09-compare');

    // The task page with its history; then another project, which takes a token of its own.
    await page.goto(`${server.baseUrl}/suites/${suiteId}/tasks/${taskId}`);
    await page.waitForSelector(`[data-testid=history] >> text=run ${run2}`);
    await shot(page, '10-task');

    // The case library: a directory made in the UI; a case saved into it (v2) shows under it in the
    // tree, the task's case at the library's root; the case opens from the tree.
    await page.goto(`${server.baseUrl}/suites/${suiteId}`);
    await page.fill('[data-testid=create-directory] input', 'payments');
    await page.click('[data-testid=create-directory] button');
    await page.waitForSelector('[data-testid=tree-library] >> text=payments');
    const dirs = (await server.client.get(`/v1/${PROJECT}/test-suites/${suiteId}/directory`)).body.directory;
    expect(dirs.map((d: { name: string; type: number }) => [d.name, d.type])).toEqual([['payments', 1], ['browse', 2]]);
    const dirId = dirs[0].id as number;
    const created = await server.client.post(`/v2/${PROJECT}/test-cases`, { name: 'pay by card', directory_id: dirId });
    expect(created.status).toBe(201);
    const payId = created.body.json.test_case_id as number;
    await page.goto(`${server.baseUrl}/suites/${suiteId}`);
    const underDir = `[data-testid=tree-dir-${dirId}] [data-testid=tree-case-${payId}]`;
    await page.waitForSelector(underDir);
    expect(await page.textContent(underDir)).toBe('Cpay by card');
    expect(await page.textContent(`[data-testid=tree-dir-${dirId}] > span`)).toBe('Dpayments');
    // the case is under its directory only; the task's case sits at the library's root
    expect(await page.locator(`[data-testid=tree-case-${payId}]`).count()).toBe(1);
    expect(await page.locator(`[data-testid=tree-library] > [data-testid=tree-case-${payId}]`).count()).toBe(0);
    expect(await page.locator(`[data-testid=tree-library] > [data-testid=tree-case-${caseId}]`).count()).toBe(1);
    await page.click(`${underDir} a`);
    await page.waitForSelector('[data-testid=case-page] >> text=pay by card');
    expect(page.url()).toBe(`${server.baseUrl}/suites/${suiteId}/cases/${payId}`);
    await page.waitForSelector('[data-testid=no-debug]');
    await page.click('[data-testid=tab-json]');
    expect(JSON.parse(await page.inputValue('[data-testid=json-editor]')).directory_id).toBe(dirId);
    expect(await page.getAttribute(`${underDir} a`, 'class')).toBe('active');
    await shot(page, '11-case-library');
    await page.click('[data-testid=switch-project]');
    await page.fill('dialog input >> nth=0', 'other-project');
    await page.fill('dialog input[type=password]', TEST_PASSWORD);
    await page.click('dialog button[type=submit]');
    await page.waitForSelector('[data-testid=project] >> text=other-project');
    await page.waitForSelector('text=No test suite yet: create one above.');

    expect(browser.errors).toEqual([]);
    // The only refused call is the deliberate save of a bad stage (a 400 naming the field).
    expect(browser.refused).toEqual([400]);
  });

  /** Starts the task from its page, watches the live view grow, stops it; returns the task run id. */
  async function startAndStop(suiteId: number, taskId: number, screenshot: string): Promise<number> {
    await page.goto(`${server.baseUrl}/suites/${suiteId}/tasks/${taskId}`);
    await page.click('[data-testid=start]');
    await page.waitForSelector('[data-testid=live]');
    const runId = Number(/\/runs\/(\d+)/.exec(page.url())![1]);
    await until(page, () => Number((globalThis as any).document.querySelector('[data-testid=live-case]')?.getAttribute('data-points') ?? 0) >= 3, 30_000);
    const first = number(await page.textContent('[data-testid=live-card-count]'));
    await page.waitForFunction((n) => Number((globalThis as any).document.querySelector('[data-testid=live-card-count]')?.textContent ?? 0) > n, first, { timeout: 10_000 });
    await shot(page, screenshot);
    await page.click('[data-testid=stop]');
    return runId;
  }
});
