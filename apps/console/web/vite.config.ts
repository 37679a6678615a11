/**
 * Vite configurations of the console: `appConfig` builds the single-page app (index.html, hashed
 * assets under /assets/), `reportConfig` the report page as one script and one stylesheet that
 * exported HTML reports inline (src/render-report-html.ts). `npx vite --config web/vite.config.ts`
 * serves the app for development (proxying the API on 127.0.0.1:8080).
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { UserConfig } from 'vite';

const WEB = dirname(fileURLToPath(import.meta.url));

/** Preact's JSX, the same in both builds. */
const shared: UserConfig = {
  root: WEB,
  base: '/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: { target: 'es2022', sourcemap: false, reportCompressedSize: false, emptyOutDir: true },
};

/** The single-page console. */
export const appConfig: UserConfig = {
  ...shared,
  build: { ...shared.build, outDir: join(WEB, '..', 'dist', 'app'), assetsDir: 'assets' },
  server: { proxy: { '^/(v1|v2|v3|health|openapi.json|metrics)': 'http://127.0.0.1:8080' } },
};

/** The report page of exported HTML files: one IIFE script, one stylesheet, no chunks. */
export const reportConfig: UserConfig = {
  ...shared,
  build: {
    ...shared.build,
    outDir: join(WEB, '..', 'dist', 'report'),
    cssCodeSplit: false,
    minify: true,
    lib: {
      entry: join(WEB, 'report', 'standalone.tsx'),
      formats: ['iife'],
      name: 'PerfTestReport',
      fileName: () => 'report.js',
      cssFileName: 'report',
    },
  },
};

export default appConfig;
