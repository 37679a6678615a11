/**
 * The Vite configuration of the single-page console (index.html, hashed assets under /assets/),
 * built by src/build.ts. `npx vite --config web/vite.config.ts` serves it for development
 * (proxying the API on 127.0.0.1:8080). The exported report's page has its own build
 * (@perftest/report).
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { UserConfig } from 'vite';

const WEB = dirname(fileURLToPath(import.meta.url));

/** The single-page console: Preact's JSX, one copy of Preact shared with @perftest/report. */
export const appConfig: UserConfig = {
  root: WEB,
  base: '/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  resolve: { dedupe: ['preact'] },
  build: { target: 'es2022', sourcemap: false, reportCompressedSize: false, emptyOutDir: true, outDir: join(WEB, '..', 'dist'), assetsDir: 'assets' },
  server: { proxy: { '^/(v1|v2|v3|health|openapi.json|metrics|console-report)': 'http://127.0.0.1:8080' } },
};

export default appConfig;
