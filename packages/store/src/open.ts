/** Opens the configured database: Postgres when a URL is given, else PGlite in `dataDir`. */
import type { Database } from './database.js';
import { migrate } from './migrate.js';
import { openPglite } from './pglite.js';
import { openPostgres } from './postgres.js';

/** Where the data lives. */
export interface StoreConfig {
  databaseUrl?: string;
  dataDir: string;
  /** Connections of the Postgres pool. */
  poolSize?: number;
  /** Opens every connection of the Postgres pool at once (a server that answers bursts). */
  openPool?: boolean;
  /** Hears what opening changed (permissions tightened in the data directory). */
  log?: (message: string) => void;
}

/** Opens the database and applies pending migrations. */
export async function openDatabase(config: StoreConfig): Promise<Database> {
  const db = config.databaseUrl
    ? await openPostgres(config.databaseUrl, config.poolSize, config.openPool)
    : await openPglite(config.dataDir, config.log);
  try {
    await migrate(db);
  } catch (err) {
    await db.close();
    throw err;
  }
  return db;
}
