import { spawnSync } from 'node:child_process';
import { defineConfig } from 'vitest/config';

/**
 * The streaming tests (HLS, HTTP-FLV, RTMP, and the debug endpoint's streaming case) generate their
 * media with Debian's ffmpeg. On a machine without it they are left out with a notice, so that
 * `npx pnpm test` works with only Node and npm; CI installs ffmpeg and sets
 * PERFTEST_REQUIRE_MEDIA_TOOLS=1, so there they always run (and fail loudly if ffmpeg is missing).
 */
const MEDIA_TESTS = [
  'packages/engine/test/stream-hls.test.ts',
  'packages/engine/test/stream-flv.test.ts',
  'packages/engine/test/stream-rtmp.test.ts',
  'apps/api/test/debug.test.ts',
  'apps/api/test/debug-streams.test.ts',
];
const hasTool = (tool: string): boolean => spawnSync(tool, ['-version'], { stdio: 'ignore' }).status === 0;
const mediaToolsRequired = process.env.PERFTEST_REQUIRE_MEDIA_TOOLS === '1';
const mediaToolsPresent = hasTool('ffmpeg') && hasTool('ffprobe');
const leaveOutMedia = !mediaToolsPresent && !mediaToolsRequired;
if (leaveOutMedia) {
  process.stderr.write(
    `ffmpeg/ffprobe not found: leaving out ${MEDIA_TESTS.length} streaming test files (apt-get install -y ffmpeg to run them; CI does)\n`,
  );
}

/**
 * The console's browser tests drive Debian's chromium (/usr/bin/chromium, or PERFTEST_CHROMIUM) with
 * playwright-core. Without it they are left out with a notice; CI sets PERFTEST_REQUIRE_BROWSER=1
 * (and installs chromium), so there they always run.
 */
const BROWSER_TESTS = ['apps/console/test/console-e2e.test.ts'];
const chromium = process.env.PERFTEST_CHROMIUM ?? '/usr/bin/chromium';
const browserRequired = process.env.PERFTEST_REQUIRE_BROWSER === '1';
const leaveOutBrowser = !browserRequired && spawnSync(chromium, ['--version'], { stdio: 'ignore' }).status !== 0;
if (leaveOutBrowser) {
  process.stderr.write(`chromium not found at ${chromium}: leaving out ${BROWSER_TESTS.length} browser test file (apt-get install -y chromium to run it; CI does)\n`);
}

export default defineConfig({
  test: {
    include: ['apps/console/web/**/*.test.ts', 'packages/*/web/**/*.test.ts', 'packages/*/src/**/*.test.ts', 'packages/*/test/**/*.test.ts', 'apps/*/src/**/*.test.ts', 'apps/*/test/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: ['**/node_modules/**', ...(leaveOutMedia ? MEDIA_TESTS : []), ...(leaveOutBrowser ? BROWSER_TESTS : [])],
    // Builds the web console and the report page when their sources changed (apps/console/src/build.ts).
    globalSetup: ['apps/console/test/global-setup.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ['default'],
  },
});
