/**
 * `tsx packages/report/src/build-cli.ts [--force]`: builds the report page when its sources
 * changed (always with --force). The console's build runs it too.
 */
import { ensureReportBuilt } from './build.js';

ensureReportBuilt({ force: process.argv.includes('--force'), log: (line) => process.stdout.write(`${line}\n`) }).catch((err: unknown) => {
  process.stderr.write(`report page build failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
