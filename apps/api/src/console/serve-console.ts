/**
 * Serves the web console from the API's own port: the single-page app at `/` and on its
 * client-side paths (`/login`, `/suites/...`), its hashed assets under `/assets/`, all read from the
 * folder the server is given (PERFTEST_CONSOLE_DIR: the API knows the console's built files by path,
 * never imports the console app), and the report page's script and style under `/console-report/`
 * (what "Export HTML" inlines, from @perftest/report). Files are read once at start, gzipped once,
 * and need no credential: the pages hold no data, and every call they make is an ordinary API call
 * with the user's token. Registered before the OpenAPI hook, so these pages are not API operations
 * in /openapi.json. Without a build, the pages answer 503 saying how to build.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { REPORT_PAGE_DIR } from '@perftest/report';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json; charset=utf-8',
};

/** The page's policy: its own scripts and styles (inline style attributes allowed), API calls to itself. */
const CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/** One file ready to send. */
interface Asset {
  type: string;
  body: Buffer;
  gzip: Buffer;
  immutable: boolean;
}

function load(path: string, immutable: boolean): Asset {
  const body = readFileSync(path);
  return { type: TYPES[extname(path)] ?? 'application/octet-stream', body, gzip: gzipSync(body, { level: 9 }), immutable };
}

function loadDir(dir: string, prefix: string, immutable: boolean, into: Map<string, Asset>): void {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isFile()) into.set(`${prefix}${entry.name}`, load(join(dir, entry.name), immutable));
  }
}

function send(request: FastifyRequest, reply: FastifyReply, asset: Asset): FastifyReply {
  const gzip = /\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''));
  void reply
    .header('Content-Type', asset.type)
    .header('Cache-Control', asset.immutable ? 'public, max-age=31536000, immutable' : 'no-cache')
    .header('X-Content-Type-Options', 'nosniff')
    .header('Vary', 'Accept-Encoding');
  if (asset.type.startsWith('text/html')) void reply.header('Content-Security-Policy', CSP).header('X-Frame-Options', 'DENY');
  if (gzip) void reply.header('Content-Encoding', 'gzip');
  return reply.send(gzip ? asset.gzip : asset.body);
}

/** The console's client-side paths: each answers the app's index.html. */
export const CONSOLE_PAGES = ['/', '/login', '/suites', '/suites/*'];

/**
 * Adds the console's routes to `app` (call before the OpenAPI hook is installed): the built app in
 * `consoleDir` (index.html and assets/), the report page from `reportDir`.
 */
export function installConsole(app: FastifyInstance, consoleDir: string, reportDir = REPORT_PAGE_DIR): void {
  const assets = new Map<string, Asset>();
  loadDir(join(consoleDir, 'assets'), '/assets/', true, assets);
  loadDir(reportDir, '/console-report/', false, assets);
  assets.delete('/console-report/build-hash');
  const index = existsSync(join(consoleDir, 'index.html')) ? load(join(consoleDir, 'index.html'), false) : undefined;
  const notBuilt = `The console is not built in ${consoleDir} (PERFTEST_CONSOLE_DIR): run \`npx pnpm start\` (it builds it) or \`npx pnpm build:console\`.\n`;
  const page = async (request: FastifyRequest, reply: FastifyReply) => {
    if (!index) {
      return reply.status(503).type('text/plain; charset=utf-8').send(notBuilt);
    }
    return send(request, reply, index);
  };
  for (const url of CONSOLE_PAGES) app.get(url, { config: { public: true } }, page);
  const file = async (request: FastifyRequest, reply: FastifyReply) => {
    const asset = assets.get(request.url.split('?')[0]);
    if (!asset) return reply.callNotFound();
    return send(request, reply, asset);
  };
  app.get('/assets/*', { config: { public: true } }, file);
  app.get('/console-report/*', { config: { public: true } }, file);
}
