/**
 * `tsx apps/console/src/build-cli.ts [--force]`: builds the console when its sources changed (always
 * with --force), the report page it exports with first. Run before the server by `npx pnpm start`.
 */
import { ensureConsoleBuilt } from './build.js';

ensureConsoleBuilt({ force: process.argv.includes('--force'), log: (line) => process.stdout.write(`${line}\n`) }).catch((err: unknown) => {
  process.stderr.write(`console build failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
