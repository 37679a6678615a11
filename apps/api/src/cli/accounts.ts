/**
 * `perftest accounts add|list|remove`: manages the accounts that may call the API, directly in the
 * database the server uses (same configuration: DATABASE_URL, or PGlite in PERFTEST_DATA_DIR).
 * Exit codes: 0 done, 1 failed (no such account, database busy or unreachable), 2 usage error.
 */
import { PROJECT_ID_MAX } from '@perftest/model';
import { DataDirBusyError, openDatabase, type Database } from '@perftest/store';
import { ADMIN_ACCOUNT, createAccount, listAccounts, removeAccount } from '../auth/accounts.js';
import { ConfigError, loadConfig } from '../config.js';

/** Where the command writes (the process's streams by default; tests pass their own). */
export interface CliOutput {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

const USAGE = `usage: perftest accounts <add|list|remove> [arguments]

Manages the accounts that may call the API, directly in the server's database (DATABASE_URL, or
PGlite in PERFTEST_DATA_DIR: with PGlite, run it while the server is stopped).

commands:
  add NAME --projects ID[,ID...]   create an account allowed on those project ids ("*" = all);
                                   prints its access key, secret key and password once
  list                             names, project ids and access keys (never secrets)
  remove NAME                      delete the account with its keys and tokens

exit codes: 0 done, 1 failed (no such account, name taken, database busy), 2 bad arguments
`;

/** Account names: what the token endpoint's user name may be. */
const NAME = /^[A-Za-z0-9._@-]{1,64}$/;
/** A bad command line; the message names the argument. */
class UsageError extends Error {}

/** Parses `--projects a,b` (or `--projects=a,b`) into distinct project ids. */
function parseProjects(args: readonly string[]): string[] {
  let raw: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--projects') {
      raw = args[++i];
      if (raw === undefined) throw new UsageError('--projects needs a value: comma-separated project ids');
    } else if (arg.startsWith('--projects=')) {
      raw = arg.slice('--projects='.length);
    } else {
      throw new UsageError(`unexpected argument "${arg}"`);
    }
  }
  if (raw === undefined) throw new UsageError('--projects is required (comma-separated project ids, or "*" for all)');
  const projects = [...new Set(raw.split(',').map((p) => p.trim()))];
  for (const project of projects) {
    if (project.length < 1 || project.length > PROJECT_ID_MAX) {
      throw new UsageError(`--projects: each project id must be 1-${PROJECT_ID_MAX} characters, got "${project}"`);
    }
  }
  return projects;
}

function parseName(command: string, name: string | undefined): string {
  if (name === undefined || name.startsWith('--')) throw new UsageError(`accounts ${command}: NAME is required`);
  if (!NAME.test(name)) throw new UsageError(`NAME must be 1-64 letters, digits, ".", "_", "@" or "-", got "${name}"`);
  return name;
}

function isUniqueViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === '23505';
}

/** Columns padded to their widest cell. */
function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]))).join('  ')).join('\n') + '\n';
}

async function add(db: Database, name: string, projects: string[], out: CliOutput): Promise<number> {
  try {
    const account = await createAccount(db, name, projects);
    out.stdout.write(
      `Account "${account.name}" created, allowed on ${account.projects.join(', ')}.\n` +
        `Shown once, keep them:\n` +
        `  access key  ${account.accessKey}\n` +
        `  secret key  ${account.secretKey}\n` +
        `  password    ${account.password}\n`,
    );
    return 0;
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
    out.stderr.write(`perftest: account "${name}" already exists\n`);
    return 1;
  }
}

async function list(db: Database, out: CliOutput): Promise<number> {
  const accounts = await listAccounts(db);
  const rows = accounts.map((a) => [a.name, a.projects.join(','), a.accessKeys.join(',') || '-']);
  out.stdout.write(table([['NAME', 'PROJECTS', 'ACCESS KEYS'], ...rows]));
  return 0;
}

async function remove(db: Database, name: string, out: CliOutput): Promise<number> {
  if (!(await removeAccount(db, name))) {
    out.stderr.write(`perftest: no account named "${name}"\n`);
    return 1;
  }
  out.stdout.write(`Account "${name}" removed, with its access keys and tokens.\n`);
  return 0;
}

/** Runs `perftest accounts ...` with the arguments after "accounts"; resolves to the exit code. */
export async function accountsCli(argv: readonly string[], out: CliOutput = process): Promise<number> {
  const [command, ...rest] = argv;
  let run: (db: Database) => Promise<number>;
  try {
    if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
      (command === undefined ? out.stderr : out.stdout).write(USAGE);
      return command === undefined ? 2 : 0;
    }
    if (command === 'add') {
      const name = parseName('add', rest[0]);
      const projects = parseProjects(rest.slice(1));
      run = (db) => add(db, name, projects, out);
    } else if (command === 'list') {
      if (rest.length > 0) throw new UsageError(`accounts list: unexpected argument "${rest[0]}"`);
      run = (db) => list(db, out);
    } else if (command === 'remove') {
      const name = parseName('remove', rest[0]);
      if (rest.length > 1) throw new UsageError(`accounts remove: unexpected argument "${rest[1]}"`);
      if (name === ADMIN_ACCOUNT) throw new UsageError(`NAME: the bootstrap account "${ADMIN_ACCOUNT}" cannot be removed`);
      run = (db) => remove(db, name, out);
    } else {
      throw new UsageError(`unknown accounts command "${command}"`);
    }
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    out.stderr.write(`perftest: ${err.message}\n${USAGE}`);
    return 2;
  }

  let db: Database;
  try {
    const config = loadConfig();
    db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: 1 });
  } catch (err) {
    if (err instanceof ConfigError) {
      out.stderr.write(`perftest: ${err.message}\n`);
      return 2;
    }
    if (err instanceof DataDirBusyError) {
      out.stderr.write(`perftest: ${err.message}\n`);
      return 1;
    }
    out.stderr.write(`perftest: cannot open the database: ${(err as Error).message}\n`);
    return 1;
  }
  try {
    return await run(db);
  } finally {
    await db.close();
  }
}
