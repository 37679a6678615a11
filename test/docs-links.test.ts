/**
 * The repository carries its own specification (docs/README.md): no committed file may cite reference
 * files that a clone does not have, a folder beside the repository or a path of one machine, and every
 * citation of a docs page (`docs/x.md`, `docs/x.md, "Heading"`, `docs/x.md#anchor`), every relative
 * markdown link and every source path the docs name must reach a file (and heading) that exists.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = path.resolve(fileURLToPath(new URL('..', import.meta.url)));

/** Files of the repository: the committed ones, or (outside a git checkout) the tree minus build output. */
function repositoryFiles(): string[] {
  try {
    const out = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: root, encoding: 'utf8' });
    return out.split('\0').filter((f) => f !== '' && existsSync(path.join(root, f)));
  } catch {
    const skip = new Set(['node_modules', '.git', 'data', 'dist', 'coverage', '.turbo']);
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const entry of readdirSync(path.join(root, dir), { withFileTypes: true })) {
        const rel = dir === '' ? entry.name : `${dir}/${entry.name}`;
        if (entry.isDirectory() && !skip.has(entry.name)) walk(rel);
        else if (entry.isFile()) files.push(rel);
      }
    };
    walk('');
    return files;
  }
}

/** Text files by repository path (binary files, with a NUL byte, are left out). */
const texts = new Map<string, string>();
for (const file of repositoryFiles()) {
  const full = path.join(root, file);
  if (statSync(full).size > 2_000_000) continue;
  const text = readFileSync(full, 'utf8');
  if (!text.includes('\0')) texts.set(file, text);
}

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** Headings of a markdown text (outside code fences), as written and as anchors (duplicates numbered). */
function headingsOf(markdown: string): { texts: Set<string>; anchors: Set<string> } {
  const texts = new Set<string>();
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  let fence = false;
  for (const line of markdown.split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) fence = !fence;
    const m = fence ? null : /^#{1,6}\s+(.+?)\s*#*\s*$/.exec(line);
    if (m === null) continue;
    texts.add(m[1]);
    texts.add(m[1].replace(/`/g, ''));
    const base = slug(m[1]);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  }
  return { texts, anchors };
}

const headingCache = new Map<string, ReturnType<typeof headingsOf>>();
function headings(file: string): ReturnType<typeof headingsOf> {
  let h = headingCache.get(file);
  if (h === undefined) {
    h = headingsOf(texts.get(file) ?? readFileSync(path.join(root, file), 'utf8'));
    headingCache.set(file, h);
  }
  return h;
}

/** The text with comment line breaks joined, so that a citation wrapped over comment lines reads as one. */
function flatten(text: string): string {
  return text.replace(/\r?\n[ \t]*(?:\*(?!\/)|\/\/|#(?!#))?[ \t]*/g, ' ');
}

// Spelled in pieces so that this file does not itself cite them.
const REFERENCE_FILES = ['semantics', 'conventions', 'api' + '-contract'].map((name) => `${name}.md`);
const FORBIDDEN: Array<[RegExp, string]> = [
  [new RegExp(`\\b(${REFERENCE_FILES.map((f) => f.replace('.', '\\.')).join('|')})\\b`), 'a reference file that is not in the repository'],
  [new RegExp(`\\.\\./${'shared'}\\b|\\b${'shared'}/(docs|bench|hooks)/`), 'a folder outside the repository'],
  [/(?<![\w.~-])\/(work|home|Users|root)\/[\w.-]/, 'an absolute path of one machine'],
];

describe('the repository cites only itself', () => {
  it('has text files to check, this one among them', () => {
    expect(texts.size).toBeGreaterThan(100);
    expect(texts.has('test/docs-links.test.ts')).toBe(true);
  });

  it('no file cites reference files, a folder beside the repository or a machine path', () => {
    const found: string[] = [];
    for (const [file, text] of texts) {
      const lines = text.split('\n');
      lines.forEach((line, i) => {
        for (const [pattern, what] of FORBIDDEN) {
          const m = pattern.exec(line);
          if (m !== null) found.push(`${file}:${i + 1}: "${m[0]}" is ${what}`);
        }
      });
    }
    expect(found).toEqual([]);
  });

  it('every docs/x.md citation names a page and heading that exist', () => {
    const broken: string[] = [];
    let cited = 0;
    // docs/x.md, optionally followed by #anchor, or by , "Heading" / ("Heading") / ("Heading", ...)
    const citation = /(?<![\w/.-])docs\/([\w-]+\.md)(?:#([\w-]+)|,? \(?"([^"\n]+)")?/g;
    for (const [file, text] of texts) {
      if (file === 'test/docs-links.test.ts') continue;
      for (const m of flatten(text).matchAll(citation)) {
        cited++;
        const page = `docs/${m[1]}`;
        if (!existsSync(path.join(root, page))) {
          broken.push(`${file}: ${m[0]}: no such page`);
          continue;
        }
        if (m[2] !== undefined && !headings(page).anchors.has(m[2])) broken.push(`${file}: ${m[0]}: no such anchor`);
        if (m[3] !== undefined && !headings(page).texts.has(m[3])) broken.push(`${file}: ${m[0]}: no heading "${m[3]}"`);
      }
    }
    expect(broken).toEqual([]);
    expect(cited).toBeGreaterThan(20);
  });

  it('every relative markdown link reaches a file and heading that exist', () => {
    const broken: string[] = [];
    let links = 0;
    const link = /\[[^\]\n]*\]\(([^)\s]+)\)/g;
    for (const [file, text] of texts) {
      if (!file.endsWith('.md')) continue;
      const body = text.replace(/^(```|~~~)[\s\S]*?^\1/gm, '');
      for (const m of body.matchAll(link)) {
        const target = m[1];
        if (/^[a-z]+:/i.test(target)) continue;
        links++;
        const [rel, anchor] = target.split('#', 2);
        const dest = rel === '' ? file : path.posix.normalize(path.posix.join(path.posix.dirname(file), rel));
        if (dest.startsWith('..') || !existsSync(path.join(root, dest))) {
          broken.push(`${file}: (${target}): no such file`);
          continue;
        }
        if (anchor !== undefined && anchor !== '' && (!dest.endsWith('.md') || !headings(dest).anchors.has(anchor))) {
          broken.push(`${file}: (${target}): no such heading`);
        }
      }
    }
    expect(broken).toEqual([]);
    expect(links).toBeGreaterThan(5);
  });

  it('every source path the docs name in backticks exists', () => {
    // `apps/api/src/config.ts`, `packages/runner/src/lifecycle/`, or a path inside a package's or an
    // app's src/ (`runner/case-input.ts`, `protocols/http/`, `metrics/summary.test.ts`)
    const sourceDirs = ['packages', 'apps'].flatMap((top) =>
      readdirSync(path.join(root, top), { withFileTypes: true })
        .filter((d) => d.isDirectory())
        .flatMap((d) => [`${top}/${d.name}/src/`, `${top}/${d.name}/`]),
    );
    // Build and test output the repository ignores (`apps/console/test-output/`) is named, not committed.
    const ignored = (p: string): boolean => {
      try {
        execFileSync('git', ['check-ignore', '-q', '--no-index', p], { cwd: root });
        return true;
      } catch {
        return false;
      }
    };
    const resolves = (p: string): boolean => {
      if (existsSync(path.join(root, p)) || ignored(p)) return true;
      const [head, ...rest] = p.split('/');
      if (['engine', 'runner', 'model', 'store'].includes(head) && existsSync(path.join(root, 'packages', head, 'src', ...rest))) return true;
      if (['api', 'worker', 'console'].includes(head) && existsSync(path.join(root, 'apps', head, 'src', ...rest))) return true;
      return sourceDirs.some((dir) => existsSync(path.join(root, dir, p)));
    };
    const missing: string[] = [];
    let named = 0;
    const token = /`([\w.-]+(?:\/[\w.-]+)*\/?)`/g;
    for (const [file, text] of texts) {
      if (!(file.startsWith('docs/') && file.endsWith('.md')) && file !== 'README.md') continue;
      for (const m of text.matchAll(token)) {
        const p = m[1];
        if (!p.replace(/\/$/, '').includes('/') || !/(\.(ts|tsx|md|json|ya?ml)|\/)$/.test(p)) continue;
        named++;
        if (!resolves(p)) missing.push(`${file}: \`${p}\``);
      }
    }
    expect(missing).toEqual([]);
    expect(named).toBeGreaterThan(20);
  });

  it('anchors follow GitHub: punctuation dropped, spaces to hyphens', () => {
    expect(slug('Streaming: HLS, HTTP-FLV and RTMP')).toBe('streaming-hls-http-flv-and-rtmp');
    expect(slug('TCP (`protocol_type` 3)')).toBe('tcp-protocol_type-3');
    expect(slug('3 and 4: surge')).toBe('3-and-4-surge');
  });
});
