/**
 * Builds the console with Vite when its sources changed since the last build: first the report
 * page (@perftest/report: the script and style that "Export HTML" inlines, served by the API under
 * /console-report/), then the single-page app into dist/, which bundles the report package's view
 * and charts, so their sources count as the app's too. Staleness and the swap into place are
 * @perftest/report/build's hashed builds.
 */
import { join } from 'node:path';
import { ensureBuilt, ensureReportBuilt, filesUnder, reportPageBuild, sourceHash, type HashedBuild } from '@perftest/report/build';
import { CONSOLE_DIST_DIR, CONSOLE_ROOT, CONSOLE_WEB_DIR } from './paths.js';

/** Files outside web/ whose content shapes the build. */
const INPUTS = ['package.json', 'src/build.ts'];

/** The single-page app's build. */
export const consoleBuild: HashedBuild = {
  root: CONSOLE_ROOT,
  sources: () => [...filesUnder(CONSOLE_WEB_DIR), ...INPUTS.map((f) => join(CONSOLE_ROOT, f))],
  upstream: () => [sourceHash(reportPageBuild)],
  outDir: CONSOLE_DIST_DIR,
  run: async (dir) => {
    const { build } = await import('vite');
    const { appConfig } = await import('../web/vite.config.js');
    await build({ ...appConfig, configFile: false, logLevel: 'warn', build: { ...appConfig.build, outDir: dir } });
  },
};

/** Builds the report page and the console unless each is current (or always, with `force`). */
export async function ensureConsoleBuilt(options: { force?: boolean; log?: (line: string) => void } = {}): Promise<boolean> {
  const report = await ensureReportBuilt(options);
  const app = await ensureBuilt(consoleBuild, 'console', options);
  return report || app;
}
