/**
 * Debian's chromium driven by playwright-core for the console's tests and benchmark: headless, no
 * sandbox, no network of its own (no updates, sync or QUIC), a new empty profile each launch.
 * Collects every console error and page error, so a test can assert that none was logged.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { CONSOLE_ROOT } from '../src/paths.js';

/** The chromium binary: PERFTEST_CHROMIUM, else Debian's. */
export const CHROMIUM = process.env.PERFTEST_CHROMIUM ?? '/usr/bin/chromium';

/** Where tests write screenshots and downloads (git-ignored). */
export const TEST_OUTPUT = join(CONSOLE_ROOT, 'test-output');

/** The flags every launch uses. */
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A running browser: its context, the errors its pages logged, and a close that removes the profile. */
export interface TestBrowser {
  context: BrowserContext;
  /** Console errors and uncaught exceptions, except the browser's notes of 4xx/5xx answers. */
  errors: string[];
  /** The browser's "Failed to load resource" notes: the HTTP statuses of refused calls. */
  refused: number[];
  /** A new page whose console errors and uncaught exceptions land in `errors`. */
  page(): Promise<Page>;
  close(): Promise<void>;
}

/** Launches chromium with a new empty profile. */
export async function launchBrowser(viewport = { width: 1440, height: 900 }): Promise<TestBrowser> {
  const profile = mkdtempSync(join(tmpdir(), 'perftest-chromium-'));
  mkdirSync(TEST_OUTPUT, { recursive: true });
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_FLAGS,
    viewport,
    acceptDownloads: true,
    deviceScaleFactor: 1,
  });
  const errors: string[] = [];
  const refused: number[] = [];
  const watch = (page: Page) => {
    page.on('console', (msg) => {
      if (msg.type() !== 'error') return;
      const status = /^Failed to load resource: the server responded with a status of (\d+)/.exec(msg.text());
      if (status) refused.push(Number(status[1]));
      else errors.push(`${page.url()}: ${msg.text()}`);
    });
    page.on('pageerror', (err) => errors.push(`${page.url()}: ${err.message}`));
  };
  context.on('page', watch);
  for (const p of context.pages()) watch(p);
  return {
    context,
    errors,
    refused,
    page: async () => context.newPage(),
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
