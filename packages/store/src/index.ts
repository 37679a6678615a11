export * from './database.js';
export * from './migrate.js';
export * from './open.js';
export { openPglite } from './pglite.js';
export { DataDirBusyError, lockDataDir } from './data-dir-lock.js';
export { openPostgres } from './postgres.js';
export { DatabaseUnavailableError, isConnectionLost } from './connection-loss.js';
export { MIGRATIONS, type Migration } from './migrations/index.js';
