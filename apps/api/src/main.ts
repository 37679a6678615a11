/**
 * Starts the server: reads the configuration, opens the database (PGlite by default, Postgres with
 * DATABASE_URL), makes sure the bootstrap admin exists, listens, and stops cleanly on SIGINT/SIGTERM.
 */
import { buildTargetPolicy, reserveListenAddress } from '@perftest/engine';
import { openDatabase } from '@perftest/store';
import { ConfigError, loadConfig } from './config.js';
import { bootstrapAdmin } from './auth/accounts.js';
import { buildServer } from './server.js';
import { startEmbedded, type Embedded } from './embedded.js';
import { setFlagsFromString } from 'node:v8';

/**
 * How far V8 lets the heap grow past what the last full collection kept before it collects again:
 * 30% instead of the up to 4x it picks by itself. The server keeps little (tens of MB) but makes
 * garbage fast when a case has thousands of cards (each second's intervals, each report fold), and
 * that headroom was a third of a 10,000-card run's peak memory; at 30% the peak fell by 70-110 MB
 * with no fewer requests made (bench:cards, bench/RESULTS.md). It applies to the whole process,
 * the in-process worker's engine threads too, whose hot paths allocate little.
 */
setFlagsFromString('--heap-growing-percent=30');

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`perftest: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const db = await openDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    openPool: true,
    log: (message) => process.stdout.write(`perftest: ${message}\n`),
  });
  const generated = await bootstrapAdmin(db, {
    accessKey: config.accessKey,
    secretKey: config.secretKey,
    password: config.adminPassword,
  });
  if (generated.generatedAccessKey) {
    process.stdout.write(
      `\nBootstrap admin access key (shown once; allowed on every project):\n  PERFTEST_AK=${generated.generatedAccessKey.accessKey}\n  PERFTEST_SK=${generated.generatedAccessKey.secretKey}\n`,
    );
  }
  if (generated.generatedPassword) {
    process.stdout.write(`Bootstrap admin password for tokens (user "admin", shown once): ${generated.generatedPassword}\n\n`);
  }
  // The target policy of debug runs and of the in-process worker's runs (docs/security.md).
  const policy = await buildTargetPolicy({
    allow: config.targetAllow,
    deny: config.targetDeny,
    listen: { host: config.host, port: config.port },
    databaseUrl: config.databaseUrl,
  });
  const targetPolicy = policy.spec;
  const embedded: Embedded = await startEmbedded(db, { ...config, targetPolicy });
  const app = await buildServer({
    db,
    logLevel: config.logLevel,
    runControl: embedded.control,
    metricsAuth: config.metricsAuth,
    metricsToken: config.metricsToken,
    targetPolicy,
    limits: config.limits,
    consoleDir: config.consoleDir,
  });
  for (const warning of policy.warnings) app.log.warn(`target policy: ${warning}`);
  await app.listen({ host: config.host, port: config.port });
  if (config.port === 0) {
    const port = (app.server.address() as { port: number }).port;
    for (const warning of await reserveListenAddress(targetPolicy, { host: config.host, port })) app.log.warn(`target policy: ${warning}`);
  }
  const database = config.databaseUrl ? 'postgres' : `pglite (${config.dataDir})`;
  process.stdout.write(`perftest api listening on http://${config.host}:${(app.server.address() as { port: number }).port} — database ${database}\n`);

  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, 'stopping');
    await app.close();
    await embedded.stop();
    await db.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

void main();
