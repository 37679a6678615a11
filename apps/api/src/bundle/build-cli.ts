/**
 * `tsx apps/api/src/bundle/build-cli.ts [--force]`: bundles the server into apps/api/dist/ when its
 * sources changed (always with --force). Run before the server by `npx pnpm start` (server-build.ts).
 */
import { ensureBuilt } from '@perftest/report/build';
import { serverBuild } from './server-build.js';

ensureBuilt(serverBuild, 'server', { force: process.argv.includes('--force'), log: (line) => process.stdout.write(`${line}\n`) }).catch((err: unknown) => {
  process.stderr.write(`server build failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
