/**
 * The server as `npx pnpm start` runs it: apps/api/src/main.ts and the engine's thread entry
 * (packages/engine/src/run/thread-worker.ts) bundled with esbuild into apps/api/dist/ (main.js and
 * thread-worker.js), rebuilt only when a source changed (@perftest/report/build's hashed builds).
 *
 * Why: run from the TypeScript sources through tsx, the server holds tsx's loader (a thread of its
 * own), every module's source and source map, and each engine thread loads them again. Bundled, a
 * 10,000-card run on the embedded database peaked about 90 MB lower (bench/RESULTS.md,
 * bench:cards). The tests run the sources through tsx; the startup test and bench:cards run this
 * bundle.
 *
 * What the bundle keeps as it was:
 *  - the workspace packages (@perftest/*) are bundled; every other package stays an import of its
 *    installed file, by absolute path (pnpm links a package's dependencies beside it, not beside
 *    the bundle), so the bundle is built where it runs; the checkout's path is part of the hash;
 *  - `import.meta.url` in a source file is that file's own URL, so files found relative to a module
 *    (the console and report pages, PGlite's package) are found as from the sources;
 *  - the engine pool starts its threads on thread-worker.js beside main.js (BUNDLED_THREAD_ENTRY,
 *    packages/engine/src/run/engine-pool.ts), not on the TypeScript entry through tsx.
 */
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { filesUnder, type HashedBuild } from '@perftest/report/build';

/** The repository root. */
const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
/** Where the bundle is written. */
export const SERVER_BUNDLE_DIR = join(ROOT, 'apps/api/dist');
/** The bundled server, as `node apps/api/dist/main.js` runs it. */
export const SERVER_BUNDLE_MAIN = join(SERVER_BUNDLE_DIR, 'main.js');

/** The workspace folders whose sources the server bundles. */
const SOURCE_DIRS = ['apps/api/src', 'packages/engine/src', 'packages/model/src', 'packages/runner/src', 'packages/store/src', 'packages/report/src'];
/** Files outside those folders whose content shapes the bundle (versions of what stays external). */
const INPUTS = ['pnpm-lock.yaml', ...SOURCE_DIRS.map((d) => join(dirname(d), 'package.json'))];

/** The server's build. */
export const serverBuild: HashedBuild = {
  root: ROOT,
  sources: () => [...SOURCE_DIRS.flatMap((d) => filesUnder(join(ROOT, d))), ...INPUTS.map((f) => join(ROOT, f))],
  // external packages are imported by absolute path: a checkout moved elsewhere rebuilds
  upstream: () => [`root ${ROOT}`],
  outDir: SERVER_BUNDLE_DIR,
  run: async (dir) => {
    const { build } = await import('esbuild');
    await build({
      entryPoints: { main: join(ROOT, 'apps/api/src/main.ts'), 'thread-worker': join(ROOT, 'packages/engine/src/run/thread-worker.ts') },
      outdir: dir,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      logLevel: 'warning',
      // the threads load the bundle's own thread entry from where the build swaps it in
      define: { BUNDLED_THREAD_ENTRY: JSON.stringify(join(SERVER_BUNDLE_DIR, 'thread-worker.js')) },
      plugins: [
        {
          name: 'perftest-sources',
          setup(esbuild) {
            // every package but the workspace's: imported from its installed file
            esbuild.onResolve({ filter: /^[^./]/ }, async (args) => {
              if (args.path.startsWith('@perftest/') || args.path.startsWith('node:') || args.pluginData === 'resolving') return undefined;
              const found = await esbuild.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, importer: args.importer, pluginData: 'resolving' });
              if (found.errors.length > 0 || !found.path.startsWith('/')) return { path: args.path, external: true };
              return { path: pathToFileURL(found.path).href, external: true };
            });
            // a source's import.meta.url stays its own
            esbuild.onLoad({ filter: /\.ts$/ }, async (args) => {
              const text = await readFile(args.path, 'utf8');
              return { contents: text.replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href)), loader: 'ts' };
            });
          },
        },
      ],
    });
  },
};
