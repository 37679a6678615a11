/**
 * The embedded database's files are readable by their owner only (docs/security.md, "What is
 * stored how"): the data directory and the directories in it are 0700, its files 0600. PGlite
 * (Emscripten's NODEFS) creates files and then chmods them 0666 whatever the umask, so while a data
 * directory is open its chmod and mkdir calls are narrowed to the owner (installed on Node's `fs`
 * for paths inside that directory only); what an older version left open is tightened at open.
 */
import fs from 'node:fs';
import { join, resolve, sep } from 'node:path';

/** Directories open now, with a trailing separator. */
const open = new Set<string>();
let original: { chmodSync: typeof fs.chmodSync; mkdirSync: typeof fs.mkdirSync } | undefined;

function inside(path: fs.PathLike): boolean {
  if (typeof path !== 'string') return false;
  const full = resolve(path);
  for (const dir of open) if (full.startsWith(dir) || `${full}${sep}` === dir) return true;
  return false;
}

/** Owner bits only, file type bits kept. */
const ownerOnly = (mode: fs.Mode | undefined): fs.Mode | undefined => (typeof mode === 'number' ? mode & ~0o077 : mode);

function install(): void {
  if (original !== undefined) return;
  const saved = { chmodSync: fs.chmodSync, mkdirSync: fs.mkdirSync };
  original = saved;
  fs.chmodSync = (path: fs.PathLike, mode: fs.Mode): void => saved.chmodSync(path, inside(path) ? (ownerOnly(mode) as fs.Mode) : mode);
  fs.mkdirSync = ((path: fs.PathLike, options?: fs.Mode | fs.MakeDirectoryOptions | null) => {
    if (!inside(path)) return saved.mkdirSync(path, options as fs.MakeDirectoryOptions);
    const narrowed = typeof options === 'object' && options !== null ? { ...options, mode: ownerOnly(options.mode) ?? 0o700 } : (ownerOnly(options ?? 0o700) as fs.Mode);
    return saved.mkdirSync(path, narrowed as fs.MakeDirectoryOptions);
  }) as typeof fs.mkdirSync;
}

function uninstall(): void {
  if (original === undefined || open.size > 0) return;
  fs.chmodSync = original.chmodSync;
  fs.mkdirSync = original.mkdirSync;
  original = undefined;
}

/** What tightening found. */
export interface Tightened {
  files: number;
  directories: number;
}

/** Sets every directory under (and including) `dir` to 0700 and every file to 0600 where they allow more. */
export function tightenDataDir(dir: string): Tightened {
  const fixed: Tightened = { files: 0, directories: 0 };
  const stack = [dir];
  while (stack.length > 0) {
    const path = stack.pop() as string;
    const stat = fs.lstatSync(path);
    if (stat.isSymbolicLink()) continue;
    if ((stat.mode & 0o077) !== 0 && stat.uid === process.getuid?.()) {
      fs.chmodSync(path, stat.isDirectory() ? 0o700 : stat.mode & 0o700);
      if (stat.isDirectory()) fixed.directories++;
      else fixed.files++;
    }
    if (stat.isDirectory()) for (const name of fs.readdirSync(path)) stack.push(join(path, name));
  }
  return fixed;
}

/**
 * Tightens what is in `dir` (an existing directory, locked by this process) and keeps what PGlite
 * creates there owner-only until the returned release is called.
 */
export function guardDataDir(dir: string): { tightened: Tightened; release(): void } {
  const tightened = tightenDataDir(dir);
  const key = `${resolve(dir)}${sep}`;
  open.add(key);
  install();
  return {
    tightened,
    release: () => {
      open.delete(key);
      uninstall();
    },
  };
}
