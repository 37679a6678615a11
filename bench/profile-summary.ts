/**
 * `npx tsx bench/profile-summary.ts FILE.cpuprofile [--top 30] [--skip 3]`: where the time of a
 * node CPU profile went, leaving out its first `skip` seconds (start-up): self time by function (with its file) and by area (idle, GC, the engine's folders,
 * each dependency, node internals), as shares of all samples.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const file = process.argv[2];
if (file === undefined) throw new Error('usage: profile-summary.ts FILE.cpuprofile [--top N]');
const topAt = process.argv.indexOf('--top');
const top = topAt > 0 ? Number(process.argv[topAt + 1]) : 30;
const skipAt = process.argv.indexOf('--skip');
const skipUs = skipAt > 0 ? Number(process.argv[skipAt + 1]) * 1e6 : 0;
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map<number, number>();
let total = 0;
let elapsed = 0;
for (let i = 0; i < profile.samples.length; i++) {
  const dt = profile.timeDeltas[i] ?? 0;
  elapsed += dt;
  if (elapsed < skipUs) continue;
  self.set(profile.samples[i], (self.get(profile.samples[i]) ?? 0) + dt);
  total += dt;
}

function area(url: string, name: string): string {
  if (name === '(idle)' || name === '(program)' || name === '(garbage collector)') return name;
  if (url === '') return '(native)';
  const pkg = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1];
  const engine = /packages\/engine\/src\/([^/]+)/.exec(url);
  if (engine) return `engine/${engine[1]}`;
  const own = /(packages|apps)\/([^/]+)\//.exec(url);
  if (own) return `${own[1]}/${own[2]}`;
  if (url.startsWith('node:')) return url.replace(/^node:internal\//, 'node:').split('/').slice(0, 2).join('/');
  return url;
}

const functions = new Map<string, number>();
const areas = new Map<string, number>();
for (const [id, t] of self) {
  const node = byId.get(id) as ProfileNode;
  const { functionName, url, lineNumber } = node.callFrame;
  const short = url.replace(/^.*\/(node_modules|packages|apps)\//, '$1/').replace(/^file:\/\//, '');
  const key = `${functionName || '(anonymous)'} ${short}${url ? `:${lineNumber + 1}` : ''}`;
  functions.set(key, (functions.get(key) ?? 0) + t);
  const a = area(url, functionName);
  areas.set(a, (areas.get(a) ?? 0) + t);
}
const pct = (t: number): string => `${((100 * t) / total).toFixed(1).padStart(5)} %`;
process.stdout.write(`total ${(total / 1e6).toFixed(2)} s of samples\n\nby area:\n`);
for (const [a, t] of [...areas].sort((x, y) => y[1] - x[1]).slice(0, 25)) process.stdout.write(`${pct(t)}  ${a}\n`);
process.stdout.write(`\ntop ${top} functions by self time:\n`);
for (const [f, t] of [...functions].sort((x, y) => y[1] - x[1]).slice(0, top)) process.stdout.write(`${pct(t)}  ${f}\n`);
