/**
 * Builds the exported report's page (web/standalone.tsx with the report view, charts and
 * web/report.css) with Vite into dist/ when its sources changed: the script and style that
 * renderReportHtml and the console's "Export HTML" inline. The console's build bundles the same
 * sources into its app and uses the same staleness check (hashed-build.ts).
 */
import { join } from 'node:path';
import { builtFiles, ensureBuilt, filesUnder, sourceHash, type HashedBuild } from './hashed-build.js';
import { REPORT_PAGE_DIR, REPORT_ROOT, REPORT_WEB_DIR } from './paths.js';

export { builtFiles, ensureBuilt, filesUnder, sourceHash, type HashedBuild };

/** Files outside web/ whose content shapes the page. */
const INPUTS = ['package.json', 'src/report-types.ts', 'src/report-html-template.ts', 'src/build.ts', 'src/hashed-build.ts'];

/** The report page's build. */
export const reportPageBuild: HashedBuild = {
  root: REPORT_ROOT,
  sources: () => [...filesUnder(REPORT_WEB_DIR), ...INPUTS.map((f) => join(REPORT_ROOT, f))],
  outDir: REPORT_PAGE_DIR,
  run: async (dir) => {
    const { build } = await import('vite');
    const { reportConfig } = await import('../web/vite.config.js');
    await build({ ...reportConfig, configFile: false, logLevel: 'warn', build: { ...reportConfig.build, outDir: dir } });
  },
};

/** Builds the report page unless dist/ is current (or always, with `force`). */
export function ensureReportBuilt(options: { force?: boolean; log?: (line: string) => void } = {}): Promise<boolean> {
  return ensureBuilt(reportPageBuild, 'report page', options);
}
