/**
 * Before any test file runs: builds the console when its sources changed since the last build, so
 * the API under test serves the current console and exported reports inline the current page.
 */
import { ensureConsoleBuilt } from '../src/build.js';

export default async function setup(): Promise<void> {
  await ensureConsoleBuilt({ log: (line) => process.stderr.write(`${line}\n`) });
}
