/**
 * The Vite configuration of the exported report's page: standalone.tsx as one IIFE script and one
 * stylesheet, no chunks, so that src/render-report-html.ts (and the console's "Export HTML") can
 * inline both into a single file. src/build.ts runs it.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { UserConfig } from 'vite';

const WEB = dirname(fileURLToPath(import.meta.url));

/** The report page: Preact's JSX, one minified script and one stylesheet. */
export const reportConfig: UserConfig = {
  root: WEB,
  base: '/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    target: 'es2022',
    sourcemap: false,
    reportCompressedSize: false,
    emptyOutDir: true,
    cssCodeSplit: false,
    minify: true,
    lib: {
      entry: join(WEB, 'standalone.tsx'),
      formats: ['iife'],
      name: 'PerfTestReport',
      fileName: () => 'report.js',
      cssFileName: 'report',
    },
  },
};

export default reportConfig;
